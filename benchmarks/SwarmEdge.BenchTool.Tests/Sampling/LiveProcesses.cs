namespace SwarmEdge.BenchTool.Tests.Sampling;

/// <summary>
/// The tests that start processes or measure the test process's CPU time run one after the other: a child process
/// of one test would count in another's process tree.
/// </summary>
[CollectionDefinition(Name)]
public sealed class LiveProcesses
{
    public const string Name = "Live processes";
}
