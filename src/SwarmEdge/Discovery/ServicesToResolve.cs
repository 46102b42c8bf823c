using System.Collections.Immutable;

namespace SwarmEdge.Discovery;

/// <summary>
/// The names of the routed services, which the DNS watcher resolves: written by the discovery loop after each
/// rebuild, read by the watcher on each round. The watcher's only input from the loop. Each name carries the
/// generation it was (re)added in: a service that stopped being routed and came back between two rounds of
/// the watcher is new to the loop, which dropped its answers, so the watcher must tell it again.
/// </summary>
internal sealed class ServicesToResolve
{
    private readonly Lock _lock = new();
    private volatile ImmutableDictionary<string, long> _names = ImmutableDictionary<string, long>.Empty.WithComparers(StringComparer.Ordinal);
    private long _generation;

    /// <summary>Name to the generation it was added in.</summary>
    public ImmutableDictionary<string, long> Names => _names;

    public void Set(IEnumerable<string> names)
    {
        lock (_lock)
        {
            var current = _names;
            var next = ImmutableDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
            foreach (var name in names)
            {
                next[name] = current.TryGetValue(name, out var generation) ? generation : ++_generation;
            }

            _names = next.ToImmutable();
        }
    }
}
