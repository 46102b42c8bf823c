namespace SwarmEdge.Commands.Audit;

/// <summary>What replaces a routing-mesh port behind SwarmEdge: its labels (Commands/Convert/PortPlan), as text.</summary>
internal sealed record PortReplacement(string Service, int PublishedPort, int TargetPort, string Protocol, string Labels);
