using Microsoft.Extensions.Time.Testing;
using SwarmEdge.Discovery;
using static SwarmEdge.Tests.TestData;

namespace SwarmEdge.Tests.Discovery;

public class DiscoveryScheduleTests
{
    private static readonly DiscoveryOptions Options = new()
    {
        ResyncInterval = TimeSpan.FromSeconds(30),
        UpdateFollowInterval = TimeSpan.FromMilliseconds(250),
        Debounce = TimeSpan.FromMilliseconds(20),
        RetryInterval = TimeSpan.FromSeconds(1),
    };

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private readonly DiscoverySchedule _schedule;

    public DiscoveryScheduleTests() => _schedule = new DiscoverySchedule(Options, _time.GetUtcNow());

    private DateTimeOffset Now => _time.GetUtcNow();

    private static readonly OptedInService Web = Service("web", Routed(), replicas: 2);

    private static SwarmSnapshot WithTasks(OptedInService service, params string[] states) =>
        Snapshot([service], states.Select((state, i) => TaskAt($"t{i}", service.Id, $"10.0.1.{i + 1}", state: state)));

    /// <summary>The start's full read, done: the schedule is idle until the next resync.</summary>
    private void StartedWith(SwarmSnapshot snapshot)
    {
        Assert.Equal(ReadPlan.All, _schedule.Next(Now));
        _schedule.ReadSucceeded(SwarmSnapshot.Empty, snapshot, Now);
    }

    [Fact]
    public void Starts_with_a_full_read_and_resyncs_every_resync_interval()
    {
        StartedWith(WithTasks(Web, "running", "running"));
        Assert.Null(_schedule.Next(Now));
        Assert.Equal(Now + Options.ResyncInterval, _schedule.WakeAt());

        _time.Advance(Options.ResyncInterval - TimeSpan.FromMilliseconds(1));
        Assert.Null(_schedule.Next(Now));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(ReadPlan.All, _schedule.Next(Now));
    }

    [Fact]
    public void One_read_at_a_time()
    {
        Assert.Equal(ReadPlan.All, _schedule.Next(Now));
        _schedule.ServiceReadRequested("svc-web", Now);
        _time.Advance(TimeSpan.FromSeconds(40));
        Assert.Null(_schedule.Next(Now));

        _schedule.ReadSucceeded(SwarmSnapshot.Empty, WithTasks(Web, "running", "running"), Now);
        Assert.Equal(ReadPlan.All, _schedule.Next(Now)); // the resync came due meanwhile; it covers the service
        _schedule.ReadSucceeded(SwarmSnapshot.Empty, WithTasks(Web, "running", "running"), Now);
        Assert.Null(_schedule.Next(Now));
    }

    [Fact]
    public void A_burst_of_events_costs_one_read_after_the_debounce()
    {
        var settled = WithTasks(Web, "running", "running");
        StartedWith(settled);

        _schedule.ServiceReadRequested("svc-web", Now);
        _time.Advance(TimeSpan.FromMilliseconds(5));
        _schedule.ServiceReadRequested("svc-web", Now);
        _schedule.ServiceReadRequested("svc-api", Now);
        Assert.Null(_schedule.Next(Now));
        Assert.Equal(Now + TimeSpan.FromMilliseconds(15), _schedule.WakeAt()); // the first signal's debounce

        _time.Advance(TimeSpan.FromMilliseconds(15));
        Assert.Equal(new ReadPlan(false, ["svc-api", "svc-web"]), _schedule.Next(Now));
        _schedule.ReadSucceeded(settled, settled, Now);
        Assert.Null(_schedule.Next(Now));
    }

    [Fact]
    public void A_full_read_signal_waits_out_the_debounce_too()
    {
        StartedWith(WithTasks(Web, "running", "running"));
        _schedule.FullReadRequested(Now);
        Assert.Null(_schedule.Next(Now));
        _time.Advance(Options.Debounce);
        Assert.Equal(ReadPlan.All, _schedule.Next(Now));
    }

    [Fact]
    public void A_changing_service_is_followed_until_it_settles()
    {
        var settled = WithTasks(Web, "running", "running");
        StartedWith(settled);

        var updating = WithTasks(Web with { UpdateInProgress = true }, "running", "starting");
        _schedule.ServiceReadRequested("svc-web", Now);
        _time.Advance(Options.Debounce);
        Assert.NotNull(_schedule.Next(Now));
        _schedule.ReadSucceeded(settled, updating, Now);
        Assert.Equal(["svc-web"], _schedule.Following);
        Assert.Equal(Now + Options.UpdateFollowInterval, _schedule.WakeAt());

        _time.Advance(Options.UpdateFollowInterval);
        Assert.Equal(new ReadPlan(false, ["svc-web"]), _schedule.Next(Now));
        _schedule.ReadSucceeded(updating, settled, Now);
        Assert.Empty(_schedule.Following);
        Assert.Equal(Now - Options.UpdateFollowInterval - Options.Debounce + Options.ResyncInterval, _schedule.WakeAt());
    }

    [Fact]
    public void A_service_that_never_settles_is_left_to_events_after_the_follow_window()
    {
        var stuck = WithTasks(Web, "running", "pending"); // e.g. an image that cannot be pulled
        var start = Now;
        Assert.Equal(ReadPlan.All, _schedule.Next(Now));
        _schedule.ReadSucceeded(SwarmSnapshot.Empty, stuck, Now);
        Assert.Equal(["svc-web"], _schedule.Following);

        var reads = 0;
        while (_schedule.Following.Count > 0)
        {
            _time.Advance(Options.UpdateFollowInterval);
            if (_schedule.Next(Now) is { Everything: false } plan)
            {
                Assert.Equal(["svc-web"], plan.ServiceIds);
                reads++;
            }

            _schedule.ReadSucceeded(stuck, stuck, Now);
        }

        // Followed for the window: a read every 250 ms for 60 s, the resyncs at 30 s and 60 s reading everything instead.
        Assert.Equal(DiscoverySchedule.FollowWindow, Now - start);
        Assert.Equal(240 - 2, reads);
    }

    [Fact]
    public void A_failed_read_is_tried_again_after_the_retry_interval_with_its_work_and_what_came_since()
    {
        StartedWith(WithTasks(Web, "running", "running"));
        _schedule.ServiceReadRequested("svc-web", Now);
        _time.Advance(Options.Debounce);
        Assert.Equal(new ReadPlan(false, ["svc-web"]), _schedule.Next(Now));
        _schedule.ReadFailed(Now);

        _schedule.ServiceReadRequested("svc-api", Now);
        _time.Advance(Options.Debounce);
        Assert.Null(_schedule.Next(Now)); // signals do not hurry a retry: the API just failed every attempt
        Assert.Equal(Now - Options.Debounce + Options.RetryInterval, _schedule.WakeAt());

        _time.Advance(Options.RetryInterval - Options.Debounce);
        Assert.Equal(new ReadPlan(false, ["svc-api", "svc-web"]), _schedule.Next(Now));
    }

    [Fact]
    public void A_failure_with_no_read_in_flight_leaves_nothing_to_retry_and_no_wake_up_in_the_past()
    {
        StartedWith(WithTasks(Web, "running", "running"));
        _schedule.ReadFailed(Now); // e.g. the loop failed after the read itself succeeded
        _time.Advance(Options.RetryInterval);

        Assert.Null(_schedule.Next(Now));
        Assert.True(_schedule.WakeAt() > Now, "the loop would spin on a wake-up time in the past");
    }

    [Fact]
    public void A_failed_full_read_stays_a_full_read()
    {
        Assert.Equal(ReadPlan.All, _schedule.Next(Now));
        _schedule.ReadFailed(Now);
        Assert.Null(_schedule.Next(Now));
        _time.Advance(Options.RetryInterval);
        Assert.Equal(ReadPlan.All, _schedule.Next(Now));
    }

    [Fact]
    public void A_service_that_left_is_no_longer_followed()
    {
        var updating = WithTasks(Web with { UpdateInProgress = true }, "running");
        Assert.Equal(ReadPlan.All, _schedule.Next(Now));
        _schedule.ReadSucceeded(SwarmSnapshot.Empty, updating, Now);
        Assert.NotEmpty(_schedule.Following);

        _time.Advance(Options.UpdateFollowInterval);
        Assert.NotNull(_schedule.Next(Now));
        _schedule.ReadSucceeded(updating, SwarmSnapshot.Empty, Now);
        Assert.Empty(_schedule.Following);
    }

    private static bool IsSettled(int? replicas, params string[] states) =>
        DiscoverySchedule.IsSettled(
            Service("web", Routed(), replicas: replicas),
            [.. states.Select((state, i) => TaskAt($"t{i}", "svc-web", $"10.0.1.{i + 1}", state: state))]);

    [Fact]
    public void Replicated_service_with_all_replicas_running_is_settled() =>
        Assert.True(IsSettled(3, "running", "running", "running"));

    [Fact]
    public void Replicated_service_with_fewer_tasks_than_replicas_is_not_settled() =>
        Assert.False(IsSettled(3, "running", "running"));

    [Theory]
    [InlineData("starting")]
    [InlineData("preparing")]
    [InlineData("pending")]
    public void A_task_that_does_not_run_yet_means_not_settled(string state) =>
        Assert.False(IsSettled(3, "running", state, "running"));

    [Fact]
    public void More_running_tasks_than_replicas_is_settled() =>
        Assert.True(IsSettled(2, "running", "running", "running"));

    [Fact]
    public void Service_scaled_to_zero_without_tasks_is_settled() =>
        Assert.True(IsSettled(0));

    [Fact]
    public void Global_service_is_settled_when_every_task_runs()
    {
        Assert.True(IsSettled(null));
        Assert.True(IsSettled(null, "running", "running"));
        Assert.False(IsSettled(null, "running", "starting"));
    }
}
