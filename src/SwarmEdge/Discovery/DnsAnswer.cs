using System.Collections.Immutable;
using System.Net;

namespace SwarmEdge.Discovery;

/// <summary>
/// One answer for tasks.&lt;service&gt; from Docker's DNS. Succeeded is false when the server did not answer
/// (timeout, refused): such an answer says nothing about the tasks.
/// </summary>
internal sealed record DnsAnswer(bool Succeeded, ImmutableHashSet<IPAddress> Addresses, string? Error)
{
    public static DnsAnswer Failed(string error) => new(false, [], error);
}
