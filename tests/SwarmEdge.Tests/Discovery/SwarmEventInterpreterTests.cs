using Docker.DotNet.Models;
using SwarmEdge.Discovery;

namespace SwarmEdge.Tests.Discovery;

public class SwarmEventInterpreterTests
{
    private static Message Event(string type, string action, string? actorId = "actor-1", Dictionary<string, string>? attributes = null) =>
        new() { Type = type, Action = action, Actor = new Actor { ID = actorId!, Attributes = attributes! } };

    [Fact]
    public void A_service_update_means_read_that_service()
    {
        var signal = SwarmEventInterpreter.Interpret(Event("service", "update", "svc1",
            new() { ["name"] = "web", ["updatestate.new"] = "updating", ["updatestate.old"] = "completed" }));

        Assert.Equal(new DiscoverySignal(DiscoverySignalKind.ServiceRead, "svc1", "service update web update=updating"), signal);
    }

    [Fact]
    public void A_service_scale_reports_the_new_replica_count()
    {
        var signal = SwarmEventInterpreter.Interpret(Event("service", "update", "svc1",
            new() { ["name"] = "web", ["replicas.new"] = "7", ["replicas.old"] = "3" }));

        Assert.Equal(new DiscoverySignal(DiscoverySignalKind.ServiceRead, "svc1", "service update web replicas=7"), signal);
    }

    [Fact]
    public void A_service_event_without_attributes_is_described_by_type_and_action()
    {
        var signal = SwarmEventInterpreter.Interpret(Event("service", "remove", "svc1"));

        Assert.Equal(new DiscoverySignal(DiscoverySignalKind.ServiceRead, "svc1", "service remove"), signal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void A_service_event_without_an_actor_id_is_ignored(string? actorId)
    {
        Assert.Null(SwarmEventInterpreter.Interpret(Event("service", "update", actorId)));
        Assert.Null(SwarmEventInterpreter.Interpret(new Message { Type = "service", Action = "update", Actor = null! }));
    }

    [Fact]
    public void A_node_event_means_read_everything()
    {
        var signal = SwarmEventInterpreter.Interpret(Event("node", "update", "node1", new() { ["name"] = "worker-1", ["state.new"] = "down" }));

        Assert.Equal(new DiscoverySignal(DiscoverySignalKind.FullRead, null, "node update worker-1"), signal);
    }

    [Theory]
    [InlineData("start")]
    [InlineData("die")]
    [InlineData("kill")]
    [InlineData("oom")]
    [InlineData("destroy")]
    [InlineData("health_status: healthy")]
    [InlineData("health_status: unhealthy")]
    public void A_task_container_lifecycle_event_means_read_its_service(string action)
    {
        var signal = SwarmEventInterpreter.Interpret(Event("container", action, "c0ffee",
            new() { ["name"] = "web.1.abc", [SwarmEventInterpreter.ServiceIdLabel] = "svc1" }));

        Assert.Equal(new DiscoverySignal(DiscoverySignalKind.ServiceRead, "svc1", $"container {action} web.1.abc"), signal);
    }

    [Theory]
    [InlineData("exec_create: curl -f http://localhost/")]
    [InlineData("exec_start: curl -f http://localhost/")]
    [InlineData("exec_die")]
    [InlineData("create")]
    [InlineData("attach")]
    [InlineData("pause")]
    public void Other_container_events_are_noise(string action)
    {
        Assert.Null(SwarmEventInterpreter.Interpret(Event("container", action, "c0ffee",
            new() { [SwarmEventInterpreter.ServiceIdLabel] = "svc1" })));
    }

    [Fact]
    public void Container_events_of_containers_that_are_not_tasks_are_noise()
    {
        Assert.Null(SwarmEventInterpreter.Interpret(Event("container", "die", "c0ffee", new() { ["name"] = "standalone" })));
        Assert.Null(SwarmEventInterpreter.Interpret(Event("container", "die", "c0ffee", new() { [SwarmEventInterpreter.ServiceIdLabel] = "" })));
        Assert.Null(SwarmEventInterpreter.Interpret(Event("container", "die", "c0ffee", attributes: null)));
    }

    [Theory]
    [InlineData("image")]
    [InlineData("volume")]
    [InlineData("network")]
    [InlineData("secret")]
    [InlineData("config")]
    public void Events_of_other_types_are_noise(string type)
    {
        Assert.Null(SwarmEventInterpreter.Interpret(Event(type, "remove", "x1", new() { [SwarmEventInterpreter.ServiceIdLabel] = "svc1" })));
    }
}
