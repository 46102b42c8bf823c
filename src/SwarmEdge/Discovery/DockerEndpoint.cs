namespace SwarmEdge.Discovery;

/// <summary>What a Docker Engine API address may be, for the configuration, the audit command and the client.</summary>
internal static class DockerEndpoint
{
    public const string Forms = "unix:///path, tcp://host:port or http(s)://host:port";

    public static bool TryParse(string value, out Uri uri) =>
        Uri.TryCreate(value, UriKind.Absolute, out uri!) && uri.Scheme is "unix" or "tcp" or "http" or "https";
}
