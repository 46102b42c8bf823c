namespace SwarmEdge.Discovery;

/// <summary>
/// Reachable is false for a node the manager sees as down or disconnected: its task IPs are black holes.
/// "unknown" is not down: a new Raft leader marks every node unknown until it checks in again (a few seconds),
/// and a lost node turns down once its grace period is over.
/// </summary>
/// Address is the node's address as the swarm knows it (what its overlay traffic comes from).
internal sealed record SwarmNode(string Id, string Hostname, bool Reachable, string Address = "");
