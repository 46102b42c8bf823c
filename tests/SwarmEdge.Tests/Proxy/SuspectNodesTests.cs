using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SwarmEdge.Admin;
using SwarmEdge.Proxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace SwarmEdge.Tests.Proxy;

public class SuspectNodesTests
{
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();
    private readonly SuspectNodes _suspects;

    public SuspectNodesTests() => _suspects = Create(_time);

    internal static SuspectNodes Create(TimeProvider time)
    {
        var options = new SwarmEdgeOptions();
        options.Proxy.PassiveHealthReactivation = Hold;
        return new SuspectNodes(new EdgeStatus(), time, Options.Create(options), NullLogger<SuspectNodes>.Instance);
    }

    private static DestinationState Task(string id, string? node) =>
        new(id, new DestinationModel(new DestinationConfig { Address = $"http://{id}/", Metadata = node is null ? null : NodeMetadata.Of(node) }));

    private static string[] Ids(IEnumerable<DestinationState> destinations) => [.. destinations.Select(d => d.DestinationId)];

    private static bool Healthy(DestinationState d) => !d.DestinationId.Contains("sick");

    [Fact]
    public void No_node_is_suspect_until_one_is_named()
    {
        Assert.False(_suspects.Any);
        Assert.False(_suspects.IsSuspect(Task("t1", "n1"), "web"));
    }

    [Fact]
    public void A_suspect_node_stays_suspect_for_the_reactivation_period_and_is_then_forgotten()
    {
        _suspects.Suspect("n1", null, "test");
        _time.Advance(Hold - TimeSpan.FromMilliseconds(1));
        Assert.True(_suspects.IsSuspect(Task("t1", "n1"), "web"));
        Assert.False(_suspects.IsSuspect(Task("t2", "n2"), "web"));

        _time.Advance(TimeSpan.FromMilliseconds(2));

        Assert.False(_suspects.IsSuspect(Task("t1", "n1"), "web"));
        Assert.False(_suspects.Any);
    }

    [Fact]
    public void A_node_no_one_asks_about_again_stops_counting_once_its_period_is_over()
    {
        // A lost node that left the swarm: no destination names it any more, only Any is read.
        _suspects.Suspect("gone", null, "test");
        Assert.True(_suspects.Any);

        _time.Advance(Hold + TimeSpan.FromMilliseconds(1));

        Assert.False(_suspects.Any);
    }

    [Fact]
    public void Being_suspected_again_starts_the_period_again()
    {
        _suspects.Suspect("n1", null, "test");
        _time.Advance(Hold * 0.8);
        _suspects.Suspect("n1", null, "test");
        _time.Advance(Hold * 0.8);

        Assert.True(_suspects.IsSuspect(Task("t1", "n1"), "web"));
    }

    [Fact]
    public void A_probe_sent_before_the_suspicion_does_not_clear_it_and_one_sent_after_does()
    {
        var before = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromMilliseconds(100));
        _suspects.Suspect("n1", null, "test");
        _time.Advance(TimeSpan.FromMilliseconds(100));

        _suspects.Clear("n1", asked: before);
        Assert.True(_suspects.IsSuspect(Task("t1", "n1"), "web"));

        _suspects.Clear("n1", asked: _time.GetTimestamp());
        Assert.False(_suspects.IsSuspect(Task("t1", "n1"), "web"));
    }

    [Fact]
    public void Prefers_healthy_tasks_on_other_nodes_then_healthy_ones_then_all()
    {
        var a1 = Task("a1", "n1");
        var b1 = Task("b1", "n2");
        var sick = Task("b2-sick", "n2");
        var file = Task("file", null);
        _suspects.Suspect("n2", null, "test");

        // By ID: a DestinationState is also a list of itself, which xunit would compare forever.
        Assert.Equal(["a1", "file"], Ids(_suspects.Prefer([a1, b1, sick, file], "web", Healthy)));
        Assert.Equal(["b1"], Ids(_suspects.Prefer([b1, sick], "web", Healthy)));
        Assert.Equal(["b2-sick"], Ids(_suspects.Prefer([sick], "web", Healthy)));
    }

    [Fact]
    public void A_task_s_failure_makes_its_node_suspect_for_its_own_service_only()
    {
        _suspects.Suspect("n1", "hostile", "its task accepts no connection");

        Assert.True(_suspects.Any);
        Assert.True(_suspects.IsSuspect(Task("t1", "n1"), "hostile"));
        Assert.False(_suspects.IsSuspect(Task("t2", "n1"), "web"));
        Assert.Equal(["t2"], Ids(_suspects.Prefer([Task("t2", "n1"), Task("t3", "n2")], "web", Healthy)).Take(1));
    }

    [Fact]
    public void A_probe_of_the_node_that_answers_clears_the_suspicions_of_every_service()
    {
        _suspects.Suspect("n1", "api", "test");
        _suspects.Suspect("n1", null, "test");
        _suspects.Suspect("n2", "api", "test");
        _time.Advance(TimeSpan.FromMilliseconds(100));

        _suspects.Clear("n1", asked: _time.GetTimestamp());

        Assert.False(_suspects.IsSuspect(Task("t1", "n1"), "api"));
        Assert.True(_suspects.IsSuspect(Task("t2", "n2"), "api"));
    }
}
