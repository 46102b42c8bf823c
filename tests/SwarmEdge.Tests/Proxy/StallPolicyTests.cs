using SwarmEdge.Proxy;
using static SwarmEdge.Proxy.StallPolicy;

namespace SwarmEdge.Tests.Proxy;

public class StallPolicyTests
{
    private static readonly Func<string, TimeSpan> Timeout = _ => TimeSpan.FromSeconds(1);

    private static TaskView Task(string id, string service, double? oldestPending, double sinceLastResponse) =>
        new(id, service, oldestPending is { } p ? TimeSpan.FromSeconds(p) : null, TimeSpan.FromSeconds(sinceLastResponse));

    [Fact]
    public void A_silent_task_with_old_waiting_requests_stalls_while_a_peer_answers()
    {
        var lost = Task("t1", "web", 1.5, 1.6);
        var peer = Task("t2", "web", 0.01, 0.001);

        Assert.Equal([lost], Suspects([lost, peer], Timeout));
    }

    [Fact]
    public void When_no_task_of_the_service_answers_none_is_stalled_they_are_all_just_slow()
    {
        Assert.Empty(Suspects([Task("t1", "web", 3, 3), Task("t2", "web", 3, 3)], Timeout));
    }

    [Fact]
    public void Peers_count_only_within_the_same_service()
    {
        Assert.Empty(Suspects([Task("t1", "web", 3, 3), Task("a1", "api", 0, 0)], Timeout));
    }

    [Theory]
    [InlineData(0.5, 3.0)] // its oldest request is young
    [InlineData(3.0, 0.2)] // it answered something recently (one slow request among fast ones)
    [InlineData(null, 5.0)] // nothing waits on it: an idle task is not a stalled one
    public void A_task_is_not_stalled_when(double? oldestPending, double sinceLastResponse)
    {
        var candidate = Task("t1", "web", oldestPending, sinceLastResponse);

        Assert.Empty(Suspects([candidate, Task("t2", "web", 0, 0)], Timeout));
    }

    [Fact]
    public void Each_service_is_judged_by_its_own_timeout_and_zero_turns_it_off()
    {
        // Three services whose tasks look alike: 1.5 s silent with a request waiting 1.5 s, a peer answering.
        TaskView[] tasks =
        [
            Task("w1", "web", 1.5, 1.5), Task("w2", "web", 0, 0),
            Task("p1", "poll", 1.5, 1.5), Task("p2", "poll", 0, 0),
            Task("r1", "reports", 1.5, 1.5), Task("r2", "reports", 0, 0),
        ];
        var timeouts = new Dictionary<string, TimeSpan>
        {
            ["web"] = TimeSpan.FromSeconds(1),
            ["poll"] = TimeSpan.Zero,
            ["reports"] = TimeSpan.FromSeconds(5),
        };

        Assert.Equal(["w1"], Suspects(tasks, s => timeouts[s]).Select(t => t.TaskId));
    }

    [Fact]
    public void A_departed_task_with_requests_waiting_is_a_suspect_whatever_its_peers_do()
    {
        var departed = Task("t1", "web", 0.1, 0.1) with { Departed = true };
        var idle = Task("t2", "web", null, 5) with { Departed = true };

        Assert.Equal([departed], Suspects([departed, idle], _ => TimeSpan.Zero));
    }

    [Fact]
    public void A_departed_task_does_not_count_as_a_peer_that_answers()
    {
        var silent = Task("t1", "web", 1.5, 1.6);
        var departed = Task("t2", "web", null, 0.001) with { Departed = true };

        Assert.Empty(Suspects([silent, departed], Timeout));
    }
}
