namespace SwarmEdge.Acme;

/// <summary>One SwarmEdge config as the Docker API lists it. Host: its swarmedge.acme.host label (empty for the account).</summary>
internal sealed record AcmeConfig(string Id, string Name, AcmeConfigKind Kind, string Host, DateTimeOffset CreatedAt, byte[] Data);
