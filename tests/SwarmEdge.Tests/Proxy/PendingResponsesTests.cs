using System.Net;
using Microsoft.Extensions.Time.Testing;
using SwarmEdge.Proxy;

namespace SwarmEdge.Tests.Proxy;

public class PendingResponsesTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly PendingResponses _pending;

    public PendingResponsesTests() => _pending = new PendingResponses(_time);

    private PendingResponses.Attempt Begin(string task, string cluster = "web", RetryState? state = null) =>
        _pending.Begin(task, cluster, "http://10.0.1.5:8080/", state ?? new RetryState(), CancellationToken.None);

    private StallPolicy.TaskView View(string task, string cluster = "web") =>
        Assert.Single(_pending.Views(_time.GetTimestamp()), v => v.TaskId == task && v.Service == cluster);

    [Fact]
    public void Aborting_a_task_cancels_what_waits_on_it_and_says_so_to_the_retry()
    {
        var state = new RetryState();
        var waiting = Begin("t1", state: state);
        var other = Begin("t2");

        Assert.Equal(1, _pending.Abort("web", "t1"));

        Assert.True(waiting.Token.IsCancellationRequested);
        Assert.True(state.AttemptAborted);
        Assert.False(other.Token.IsCancellationRequested);
    }

    [Fact]
    public void A_token_source_that_was_cancelled_is_never_handed_to_a_later_attempt()
    {
        var aborted = Begin("t1");
        Assert.Equal(1, _pending.Abort("web", "t1"));
        PendingResponses.End(aborted);

        var next = Begin("t1");

        Assert.False(next.Token.IsCancellationRequested);
    }

    [Fact]
    public void An_attempt_that_ended_cannot_cancel_the_one_that_took_its_token_source()
    {
        var ended = Begin("t1");
        PendingResponses.End(ended, answered: true);
        var next = Begin("t2");

        Assert.False(ended.TryAbort());
        Assert.Equal(0, _pending.Abort("web", "t1"));
        Assert.False(next.Token.IsCancellationRequested);
    }

    [Fact]
    public async Task An_abort_racing_the_end_of_its_attempt_never_cancels_the_next_attempt()
    {
        // The stall detector aborts on its own thread while the request's forward ends on another: the token source
        // must not reach the next attempt between the abort's check and its cancel.
        for (var i = 0; i < 2_000; i++)
        {
            var attempt = Begin("t1");
            var abort = Task.Run(() => _pending.Abort("web", "t1"));
            PendingResponses.End(attempt);
            await abort;
            var next = Begin("t2");

            Assert.False(next.Token.IsCancellationRequested, $"iteration {i}");
            PendingResponses.End(next);
        }
    }

    [Fact]
    public void An_attempt_whose_response_started_is_never_aborted()
    {
        var state = new RetryState();
        var answered = Begin("t1", state: state);
        answered.Responded();

        Assert.Equal(0, _pending.Abort("web", "t1"));
        Assert.False(answered.Token.IsCancellationRequested);
        Assert.False(state.AttemptAborted);
    }

    [Fact]
    public void Aborting_after_the_attempt_ended_does_nothing()
    {
        var state = new RetryState();
        PendingResponses.End(Begin("t1", state: state));

        Assert.Equal(0, _pending.Abort("web", "t1"));
        Assert.False(state.AttemptAborted);
        Assert.Equal(0, _pending.Abort("web", "never-sent-anything"));
    }

    [Fact]
    public void A_response_that_starts_after_the_attempt_ended_is_not_its_tasks_answer()
    {
        // The request's OnStarting callback of a first attempt that failed runs when the retry's response starts,
        // on another task: the failed task must keep its silence.
        var failed = Begin("t1");
        _time.Advance(TimeSpan.FromSeconds(1));
        PendingResponses.End(failed);
        _time.Advance(TimeSpan.FromSeconds(1));

        failed.Responded();

        Assert.Equal(TimeSpan.FromSeconds(2), View("t1").SinceLastResponse);
    }

    [Fact]
    public void An_aborted_attempt_whose_request_is_answered_elsewhere_is_not_its_tasks_answer()
    {
        var aborted = Begin("t1");
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, _pending.Abort("web", "t1"));

        aborted.Responded();

        Assert.Equal(TimeSpan.FromSeconds(2), View("t1").SinceLastResponse);
    }

    [Fact]
    public void A_task_on_two_ports_is_two_entries()
    {
        var web = Begin("t1", "shop");
        var admin = Begin("t1", "shop:9090");

        Assert.Equal(1, _pending.Abort("shop:9090", "t1"));

        Assert.True(admin.Token.IsCancellationRequested);
        Assert.False(web.Token.IsCancellationRequested);
    }

    [Fact]
    public void The_view_gives_the_age_of_the_oldest_waiting_request_and_the_time_since_the_last_answer()
    {
        var first = Begin("t1");
        _time.Advance(TimeSpan.FromSeconds(2));
        var second = Begin("t1");
        _time.Advance(TimeSpan.FromSeconds(1));

        var view = View("t1");
        Assert.Equal(TimeSpan.FromSeconds(3), view.OldestPending);
        Assert.Equal(TimeSpan.FromSeconds(3), view.SinceLastResponse);

        second.Responded();
        PendingResponses.End(second);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        view = View("t1");
        Assert.Equal(TimeSpan.FromSeconds(3.5), view.OldestPending);
        Assert.Equal(TimeSpan.FromMilliseconds(500), view.SinceLastResponse);

        PendingResponses.End(first);
        Assert.Null(View("t1").OldestPending);
    }

    [Fact]
    public void A_departed_task_stays_while_something_waits_on_it_and_is_forgotten_after()
    {
        var waiting = Begin("t1");

        Assert.Equal(1, _pending.Depart([("web", "t1"), ("web", "unknown")]));
        Assert.True(View("t1").Departed);

        PendingResponses.End(waiting);
        Assert.Empty(_pending.Views(_time.GetTimestamp()));
        Assert.Null(_pending.AddressOf("web", "t1"));
    }

    [Fact]
    public void A_quiet_task_is_forgotten_after_the_retention_even_if_it_never_departed()
    {
        // The case this is for: a request routed to a task just after it departed re-creates its entry.
        PendingResponses.End(Begin("t1"));

        _time.Advance(PendingResponses.IdleRetention);
        Assert.False(View("t1").Departed);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(_pending.Views(_time.GetTimestamp()));
    }

    [Fact]
    public void A_quiet_task_with_a_request_waiting_is_never_forgotten()
    {
        Begin("t1");

        _time.Advance(PendingResponses.IdleRetention * 2);

        Assert.Equal(PendingResponses.IdleRetention * 2, View("t1").OldestPending);
    }

    [Theory]
    [InlineData("http://10.0.1.5:8080/", "10.0.1.5:8080")]
    [InlineData("https://[fd00::5]:8443/", "[fd00::5]:8443")]
    public void The_address_is_the_one_its_requests_went_to(string address, string expected)
    {
        _pending.Begin("t1", "web", address, new RetryState(), CancellationToken.None);

        Assert.Equal(IPEndPoint.Parse(expected), _pending.AddressOf("web", "t1"));
    }

    [Fact]
    public void Ending_an_attempt_twice_never_hands_its_token_source_to_two_later_attempts()
    {
        var ended = Begin("t1");
        PendingResponses.End(ended);
        ended.Dispose();

        var first = Begin("t2");
        var second = Begin("t3");
        Assert.Equal(1, _pending.Abort("web", "t2"));

        Assert.True(first.Token.IsCancellationRequested);
        Assert.False(second.Token.IsCancellationRequested);
    }

    [Fact]
    public void The_token_it_was_begun_with_cancels_the_attempt_too()
    {
        using var stopping = new CancellationTokenSource();
        var attempt = _pending.Begin("t1", "web", "http://10.0.1.5:8080/", new RetryState(), stopping.Token);

        stopping.Cancel();

        Assert.True(attempt.Token.IsCancellationRequested);
    }

    [Fact]
    public async Task Aborts_racing_with_ends_neither_throw_nor_leave_anything_behind()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        // Threads of their own: busy loops on the thread pool of a two-core machine would starve the aborter.
        var requests = Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(() =>
        {
            var cancelled = 0;
            while (!stop.IsCancellationRequested)
            {
                var state = new RetryState();
                var attempt = Begin("t1", state: state);
                Thread.SpinWait(100);
                var wasCancelled = attempt.Token.IsCancellationRequested;
                PendingResponses.End(attempt);
                if (wasCancelled)
                {
                    // The flag is set before the token fires: the retry middleware never sees one without the other.
                    Assert.True(state.AttemptAborted);
                    cancelled++;
                }
            }

            return cancelled;
        }, TaskCreationOptions.LongRunning)).ToList();
        var aborter = Task.Factory.StartNew(() =>
        {
            var aborted = 0;
            while (!stop.IsCancellationRequested)
            {
                aborted += _pending.Abort("web", "t1");
            }

            return aborted;
        }, TaskCreationOptions.LongRunning);

        var cancelled = (await Task.WhenAll(requests)).Sum();
        var aborted = await aborter;

        Assert.Null(View("t1").OldestPending);
        // An abort can win against an attempt that is ending and find nothing left to cancel, never the reverse.
        Assert.InRange(cancelled, 1, aborted);
    }
}
