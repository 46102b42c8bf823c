namespace SwarmEdge.Tests;

/// <summary>
/// Tests that measure real time against the production timeouts (a 250 ms connect probe, a DNS answer applied
/// within a second): run alone, after the parallel ones, so that 600 other tests on two cores cannot stall them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "real time";
}
