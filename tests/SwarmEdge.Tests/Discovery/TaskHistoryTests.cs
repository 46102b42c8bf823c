using Docker.DotNet.Models;
using SwarmEdge.Discovery;

namespace SwarmEdge.Tests.Discovery;

/// <summary>How the dashboard words a task's end, and which Docker events become lines of its timeline.</summary>
public class TaskHistoryTests
{
    private static TaskRecord Task(string state, long? exit, string desired = "shutdown", string? error = null, bool oom = false) =>
        new("t1", 1, "node-1", desired, state, "", error, exit, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, oom);

    [Theory]
    [InlineData("running", null, "running", false, null)]
    [InlineData("failed", 137L, "shutdown", false, "killed (exit 137: SIGKILL, or the OOM killer on a node whose events this edge does not see)")]
    [InlineData("failed", 137L, "shutdown", true, "killed by the OOM killer (exit 137)")]
    [InlineData("shutdown", 143L, "shutdown", false, "terminated (exit 143: SIGTERM)")]
    [InlineData("failed", 3L, "shutdown", false, "exited with 3")]
    [InlineData("complete", 0L, "shutdown", false, "completed (exit 0)")]
    [InlineData("rejected", null, "shutdown", false, "rejected: no suitable node")]
    public void A_task_s_end_is_said_in_words(string state, long? exit, string desired, bool oom, string? ending)
    {
        Assert.Equal(ending, Task(state, exit, desired, state == "rejected" ? "no suitable node" : null, oom).Ending);
    }

    [Fact]
    public void Only_tasks_that_failed_count_as_failures_not_those_the_orchestrator_stopped()
    {
        Assert.True(Task("failed", 137).Failed);
        Assert.True(Task("rejected", null).Failed);
        Assert.False(Task("shutdown", 143).Failed);
        Assert.False(Task("shutdown", 0).Failed);
        Assert.False(Task("running", null, "running").Failed);
    }

    [Fact]
    public void Docker_s_task_becomes_a_record_with_its_exit_and_error()
    {
        var record = TaskRecord.From(new TaskResponse
        {
            ID = "abc",
            Slot = 2,
            NodeID = "n1",
            DesiredState = TaskState.Shutdown,
            Status = new Docker.DotNet.Models.TaskStatus { State = TaskState.Failed, Err = "task: non-zero exit (137)", Message = "started", ContainerStatus = new ContainerStatus { ExitCode = 137 } },
        });

        Assert.Equal(("abc", 2, "n1", "shutdown", "failed", "task: non-zero exit (137)", 137L), (record.Id, record.Slot!.Value, record.NodeId, record.DesiredState, record.State, record.Error!, record.ExitCode!.Value));
    }

    [Theory]
    [InlineData("container", "oom", "task web.1.x was killed by the OOM killer")]
    [InlineData("container", "die", "task web.1.x exited with 137")]
    [InlineData("container", "kill", "task web.1.x was sent signal 9")]
    [InlineData("service", "update", "service web update: update updating, replicas 2 -> 3")]
    [InlineData("node", "update", "node n2 update: ready -> down")]
    public void Docker_events_become_timeline_lines(string type, string action, string summary)
    {
        var attributes = new Dictionary<string, string>
        {
            ["name"] = type switch { "container" => "web.1.x", "node" => "n2", _ => "web" },
            [SwarmEventEntry.TaskIdLabel] = "x",
            [SwarmEventEntry.ServiceNameLabel] = "web",
            ["exitCode"] = "137",
            ["signal"] = "9",
            ["updatestate.new"] = "updating",
            ["replicas.old"] = "2",
            ["replicas.new"] = "3",
            ["state.old"] = "ready",
            ["state.new"] = "down",
        };
        if (type != "service")
        {
            attributes.Remove("updatestate.new");
            attributes.Remove("replicas.new");
        }

        var entry = SwarmEventEntry.From(new Message { Type = type, Action = action, Actor = new Actor { ID = "id", Attributes = attributes }, TimeNano = 1_700_000_000_000_000_000 });

        Assert.Equal(summary, entry!.Summary);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), entry.Time);
    }

    [Fact]
    public void Events_of_no_interest_are_left_out_and_the_log_keeps_the_newest()
    {
        Assert.Null(SwarmEventEntry.From(new Message { Type = "container", Action = "exec_start: sh", Actor = new Actor { Attributes = new Dictionary<string, string> { [SwarmEventEntry.TaskIdLabel] = "x" } } }));
        Assert.Null(SwarmEventEntry.From(new Message { Type = "container", Action = "die", Actor = new Actor { Attributes = new Dictionary<string, string>() } }));

        var log = new SwarmEventLog();
        for (var i = 0; i < SwarmEventLog.Capacity + 5; i++)
        {
            log.Add(new SwarmEventEntry(DateTimeOffset.UnixEpoch.AddSeconds(i), "node", "update", null, $"n{i}", null, null, $"{i}"));
        }

        var kept = log.Snapshot();
        Assert.Equal(SwarmEventLog.Capacity, kept.Count);
        Assert.Equal(("5", $"{SwarmEventLog.Capacity + 4}"), (kept[0].Summary, kept[^1].Summary));
    }
}
