namespace SwarmEdge.Discovery;

/// <summary>
/// The names of the routed services, which the DNS watcher resolves: written by the discovery loop after each
/// rebuild, read by the watcher on each round. The watcher's only input from the loop.
/// </summary>
internal sealed class ServicesToResolve
{
    private volatile string[] _names = [];

    public IReadOnlyList<string> Names => _names;

    public void Set(IEnumerable<string> names) => _names = [.. names];
}
