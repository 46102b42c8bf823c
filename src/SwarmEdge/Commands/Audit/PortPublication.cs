namespace SwarmEdge.Commands.Audit;

/// <summary>One published port. PublishedPort is 0 for a host-mode port that Docker picks when the task starts.</summary>
internal sealed record PortPublication(string Protocol, int TargetPort, int PublishedPort, PublishMode Mode);
