using System.Net;

namespace SwarmEdge.Discovery;

/// <summary>
/// A task whose desired state is running. State is the task's actual state ("running", "starting", ...).
/// Addresses maps network ID to the task's IP on that network.
/// </summary>
internal sealed record SwarmTask(
    string Id,
    string ServiceId,
    string NodeId,
    string State,
    EquatableDictionary<string, IPAddress> Addresses);
