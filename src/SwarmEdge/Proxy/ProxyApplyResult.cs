using System.Collections.Immutable;

namespace SwarmEdge.Proxy;

/// <summary>
/// What one apply did: Changed when YARP got a new configuration; Errors per service name, the routes and
/// clusters left out (YARP would have refused them); DepartedTasks, the (cluster, task) destinations that left.
/// </summary>
internal sealed record ProxyApplyResult(
    bool Changed,
    ImmutableDictionary<string, ImmutableArray<string>> Errors,
    ImmutableArray<(string Cluster, string Task)> DepartedTasks);
