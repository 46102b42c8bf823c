namespace SwarmEdge.Commands.Audit;

/// <summary>A port a node accepts connections on, and the service behind it.</summary>
internal sealed record NodePort(int Port, string Protocol, string Service, PublishMode Mode);
