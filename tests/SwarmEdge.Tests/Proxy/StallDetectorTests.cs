using System.Diagnostics.CodeAnalysis;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SwarmEdge.Proxy;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace SwarmEdge.Tests.Proxy;

/// <summary>
/// The detector's look, one at a time under fake time, with hand-built cluster state and real sockets for the
/// probe: a listener for a node that answers, a full accept queue for a lost one.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class StallDetectorTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    private readonly FakeTimeProvider _time = new();
    private readonly PendingResponses _pending;
    private readonly TaskNodes _nodes = new();
    private readonly Clusters _clusters = new();
    private readonly HealthUpdates _health = new();
    private readonly StallDetector _detector;
    private readonly SuspectNodes _suspects;

    public StallDetectorTests()
    {
        _pending = new PendingResponses(_time);
        var options = new SwarmEdgeOptions();
        options.Proxy.StallTimeout = Timeout;
        _suspects = SuspectNodesTests.Create(_time);
        _detector = new StallDetector(_pending, _clusters, _health, _suspects, _time, Options.Create(options), NullLogger<StallDetector>.Instance);
    }

    public void Dispose() => _nodes.Dispose();

    private PendingResponses.Attempt Waiting(string task, IPEndPoint address, RetryState? state = null, string cluster = "web", string? node = null)
    {
        _clusters.Add(cluster, task, node);
        return _pending.Begin(task, cluster, $"http://{address}/", state ?? new RetryState(), CancellationToken.None);
    }

    private void Answered(string task, IPEndPoint address, string cluster = "web", string? node = null)
    {
        var attempt = Waiting(task, address, cluster: cluster, node: node);
        attempt.Responded();
        PendingResponses.End(attempt);
    }

    [Fact]
    public async Task A_silent_task_on_a_lost_node_is_taken_out_and_its_waiting_request_aborted()
    {
        var state = new RetryState();
        var waiting = Waiting("w1", _nodes.Lost(), state);
        _time.Advance(Timeout * 1.2);
        Answered("w2", _nodes.Answering());
        _time.Advance(Timeout * 0.3);

        await _detector.CheckAsync(CancellationToken.None);

        Assert.True(waiting.Token.IsCancellationRequested);
        Assert.True(state.AttemptAborted);
        Assert.Equal([("web", "w1", DestinationHealth.Unhealthy)], _health.Passive);
    }

    [Fact]
    public async Task A_lost_task_makes_its_node_suspect_for_its_service_and_leaves_what_waits_on_its_node_mates_to_their_own_check()
    {
        var lostNode = _nodes.Lost();
        var first = Waiting("w1", lostNode, node: "n-shared");
        _time.Advance(Timeout * 1.2);
        Answered("w2", _nodes.Answering(), node: "n-live");
        // Another task of the same node, sent a request a moment ago: it may well have reached it.
        var second = Waiting("w3", _nodes.Answering(), cluster: "api", node: "n-shared");
        _time.Advance(Timeout * 0.3);

        await _detector.CheckAsync(CancellationToken.None);

        Assert.True(first.Token.IsCancellationRequested);
        Assert.False(second.Token.IsCancellationRequested);
        // For the lost task's own service: another service's tasks on the node are its own check's business.
        Assert.True(_suspects.IsSuspect(_clusters.Destination("web", "w1"), "web"));
        Assert.False(_suspects.IsSuspect(_clusters.Destination("api", "w3"), "api"));
        Assert.False(_suspects.IsSuspect(_clusters.Destination("web", "w2"), "web"));
    }

    [Fact]
    public async Task A_silent_task_whose_node_answers_keeps_its_requests_and_is_asked_again_after_the_timeout()
    {
        var node = _nodes.Answering();
        var waiting = Waiting("w1", node);
        var peer = _nodes.Answering();
        _time.Advance(Timeout * 1.2);
        Answered("w2", peer);
        _time.Advance(Timeout * 0.3);

        await _detector.CheckAsync(CancellationToken.None);
        await _detector.CheckAsync(CancellationToken.None);
        await WaitForAsync(() => _nodes.Accepted == 1);

        _time.Advance(Timeout);
        Answered("w2", peer);
        await _detector.CheckAsync(CancellationToken.None);
        await WaitForAsync(() => _nodes.Accepted == 2);

        Assert.False(waiting.Token.IsCancellationRequested);
        Assert.Empty(_health.Passive);
    }

    [Fact]
    public async Task Nothing_is_suspected_while_no_peer_answers()
    {
        var waiting = Waiting("w1", _nodes.Lost());
        Answered("w2", _nodes.Answering());
        _time.Advance(Timeout * 1.5);

        await _detector.CheckAsync(CancellationToken.None);

        Assert.False(waiting.Token.IsCancellationRequested);
    }

    [Fact]
    public async Task A_departed_task_s_requests_are_aborted_when_its_node_is_lost_and_kept_when_it_answers()
    {
        var lost = Waiting("w1", _nodes.Lost());
        var stopping = Waiting("w2", _nodes.Closed());
        _pending.Depart([("web", "w1"), ("web", "w2")]);

        await _detector.CheckAsync(CancellationToken.None);

        Assert.True(lost.Token.IsCancellationRequested);
        Assert.False(stopping.Token.IsCancellationRequested);
        // A departed task is out of the rotation already: nothing to mark.
        Assert.Empty(_health.Passive);
    }

    [Fact]
    public async Task A_service_whose_label_turns_detection_off_keeps_its_silent_tasks()
    {
        _clusters.Metadata["web"] = new Dictionary<string, string> { [ProxyConfigBuilder.StallTimeoutKey] = "0" };
        var waiting = Waiting("w1", _nodes.Lost());
        _time.Advance(Timeout * 1.2);
        Answered("w2", _nodes.Answering());
        _time.Advance(Timeout * 0.3);

        await _detector.CheckAsync(CancellationToken.None);

        Assert.False(waiting.Token.IsCancellationRequested);
    }

    [Fact]
    public async Task The_same_task_on_another_port_is_judged_apart()
    {
        var web = Waiting("t1", _nodes.Lost(), cluster: "shop");
        var metrics = Waiting("t1", _nodes.Lost(), cluster: "shop:9090");
        _time.Advance(Timeout * 1.2);
        Answered("t2", _nodes.Answering(), cluster: "shop");
        _time.Advance(Timeout * 0.3);

        await _detector.CheckAsync(CancellationToken.None);

        Assert.True(web.Token.IsCancellationRequested);
        Assert.False(metrics.Token.IsCancellationRequested);
        Assert.Equal([("shop", "t1", DestinationHealth.Unhealthy)], _health.Passive);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(5, deadline.Token);
        }
    }

    private sealed class Clusters : IProxyStateLookup
    {
        private readonly Dictionary<string, ClusterState> _clusters = new();

        public Dictionary<string, Dictionary<string, string>> Metadata { get; } = new();

        public void Add(string cluster, string task, string? node = null)
        {
            if (!_clusters.TryGetValue(cluster, out var state))
            {
                var config = new ClusterConfig { ClusterId = cluster, Metadata = Metadata.GetValueOrDefault(cluster) };
                state = new ClusterState(cluster, new ClusterModel(config, new HttpMessageInvoker(new HttpClientHandler())));
                _clusters[cluster] = state;
            }

            state.Destinations.TryAdd(task, new DestinationState(task, new DestinationModel(new DestinationConfig
            {
                Address = $"http://{task}/",
                Metadata = node is null ? null : NodeMetadata.Of(node),
            })));
        }

        public DestinationState Destination(string cluster, string task) => _clusters[cluster].Destinations[task];

        public bool TryGetCluster(string id, [NotNullWhen(true)] out ClusterState? cluster) => _clusters.TryGetValue(id, out cluster);

        public IEnumerable<ClusterState> GetClusters() => _clusters.Values;

        public bool TryGetRoute(string id, [NotNullWhen(true)] out RouteModel? route) => throw new NotSupportedException();

        public IEnumerable<RouteModel> GetRoutes() => throw new NotSupportedException();
    }

    private sealed class HealthUpdates : IDestinationHealthUpdater
    {
        public List<(string Cluster, string Task, DestinationHealth Health)> Passive { get; } = [];

        public void SetPassive(ClusterState cluster, DestinationState destination, DestinationHealth newHealth, TimeSpan reactivationPeriod) =>
            Passive.Add((cluster.ClusterId, destination.DestinationId, newHealth));

        public void SetActive(ClusterState cluster, IEnumerable<NewActiveDestinationHealth> newHealthStates) => throw new NotSupportedException();
    }
}
