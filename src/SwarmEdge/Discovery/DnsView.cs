using System.Collections.Immutable;

namespace SwarmEdge.Discovery;

/// <summary>
/// What Docker's DNS said, folded from the watcher's answers: the last good answer per service name, and the
/// error of every service whose latest lookup failed. A failure never replaces a good answer: DNS trouble never
/// removes an endpoint.
/// </summary>
internal sealed record DnsView(
    ImmutableDictionary<string, DnsAnswer> Answers,
    ImmutableDictionary<string, string> Errors)
{
    public static readonly DnsView Empty = new(
        ImmutableDictionary<string, DnsAnswer>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal));

    /// <summary>The view with one more answer; AddressesChanged when the service's tasks in DNS are not what they were.</summary>
    public (DnsView View, bool AddressesChanged) With(string serviceName, DnsAnswer answer)
    {
        if (!answer.Succeeded)
        {
            return (this with { Errors = Errors.SetItem(serviceName, answer.Error ?? "no answer") }, false);
        }

        var changed = !Answers.TryGetValue(serviceName, out var previous) || !previous.Addresses.SetEquals(answer.Addresses);
        return (new DnsView(changed ? Answers.SetItem(serviceName, answer) : Answers, Errors.Remove(serviceName)), changed);
    }

    /// <summary>Only the services still resolved.</summary>
    public DnsView Retain(IReadOnlySet<string> serviceNames) =>
        Answers.Keys.All(serviceNames.Contains) && Errors.Keys.All(serviceNames.Contains)
            ? this
            : new DnsView(
                Answers.RemoveRange(Answers.Keys.Where(n => !serviceNames.Contains(n)).ToList()),
                Errors.RemoveRange(Errors.Keys.Where(n => !serviceNames.Contains(n)).ToList()));
}
