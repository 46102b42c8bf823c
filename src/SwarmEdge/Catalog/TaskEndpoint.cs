using System.Net;

namespace SwarmEdge.Catalog;

/// <summary>A running task that may receive requests: its address on the network SwarmEdge shares with it.</summary>
internal sealed record TaskEndpoint(string TaskId, string NodeId, IPAddress Address, int Port)
{
    // Formatted once: every rebuild turns every endpoint of every service into a YARP destination.
    public string Url { get; } = Format(Address, Port);

    /// <summary>The task's URL on another of its ports (a router with a port of its own), or over TLS.</summary>
    public string UrlOn(int port, string scheme = "http") => Format(Address, port, scheme);

    private static string Format(IPAddress address, int port, string scheme = "http") =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"{scheme}://[{address}]:{port}/" : $"{scheme}://{address}:{port}/";
}
