using Microsoft.AspNetCore.Http.Features;

namespace SwarmEdge.Tests.Proxy;

/// <summary>DefaultHttpContext's response feature never runs OnStarting callbacks; a server does, and so does this.</summary>
internal sealed class StartingResponseFeature : HttpResponseFeature
{
    private readonly List<(Func<object, Task> Callback, object State)> _starting = [];
    private bool _started;

    public override bool HasStarted => _started;

    public override void OnStarting(Func<object, Task> callback, object state) => _starting.Add((callback, state));

    public async Task StartAsync()
    {
        _started = true;
        foreach (var (callback, state) in Enumerable.Reverse(_starting))
        {
            await callback(state);
        }
    }
}
