using System.Collections.Immutable;
using System.Net;
using Docker.DotNet.Models;
using SwarmEdge.Discovery;
using DockerNetwork = Docker.DotNet.Models.SwarmNetwork;
using DockerService = Docker.DotNet.Models.SwarmService;
using DockerTaskStatus = Docker.DotNet.Models.TaskStatus;

namespace SwarmEdge.Tests.Discovery;

public class DockerModelMapperTests
{
    private static readonly DateTime Created = new(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc);

    private static NetworkAttachment Attachment(string? networkId, params string[]? addresses) =>
        new() { Network = networkId is null ? null : new DockerNetwork { ID = networkId }, Addresses = addresses };

    private static TaskResponse Task(string id, string? serviceId, TaskState? state, params NetworkAttachment[] attachments) =>
        new()
        {
            ID = id,
            ServiceID = serviceId,
            NodeID = "node-1",
            Status = new DockerTaskStatus { State = state },
            NetworksAttachments = attachments,
        };

    [Fact]
    public void A_full_service_maps_every_field()
    {
        var service = new DockerService
        {
            ID = "svc1",
            CreatedAt = Created,
            Spec = new ServiceSpec
            {
                Name = "web",
                Labels = new Dictionary<string, string> { ["swarmedge.enable"] = "true", ["swarmedge.http.port"] = "8080" },
                EndpointSpec = new EndpointSpec { Mode = "dnsrr" },
                TaskTemplate = new TaskSpec
                {
                    Networks =
                    [
                        new NetworkAttachmentConfig { Target = "net-a" },
                        new NetworkAttachmentConfig { Target = "net-b" },
                        new NetworkAttachmentConfig { Target = "net-a" },
                        new NetworkAttachmentConfig { Target = "" },
                        new NetworkAttachmentConfig { Target = null },
                    ],
                },
                Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 3 } },
            },
            UpdateStatus = new UpdateStatus { State = "updating" },
        };

        var expected = new OptedInService(
            "svc1", "web", Created, "dnsrr",
            ImmutableDictionary.CreateRange(new Dictionary<string, string> { ["swarmedge.enable"] = "true", ["swarmedge.http.port"] = "8080" }),
            ["net-a", "net-b"], true, 3);
        Assert.Equal(expected, DockerModelMapper.ToService(service));
    }

    [Fact]
    public void A_service_with_no_spec_gets_safe_defaults()
    {
        var mapped = DockerModelMapper.ToService(new DockerService { ID = "svc1" });

        Assert.Equal(
            new OptedInService("svc1", "svc1", DateTime.MinValue, "vip", ImmutableDictionary<string, string>.Empty, [], false, null),
            mapped);
    }

    [Fact]
    public void A_global_service_has_no_desired_replica_count()
    {
        var mapped = DockerModelMapper.ToService(new DockerService
        {
            ID = "svc1",
            Spec = new ServiceSpec { Name = "agent", Mode = new ServiceMode { Global = new GlobalService() } },
        });

        Assert.Null(mapped.DesiredReplicas);
    }

    [Theory]
    [InlineData("updating", true)]
    [InlineData("rollback_started", true)]
    [InlineData("completed", false)]
    [InlineData("paused", false)]
    [InlineData("rollback_completed", false)]
    [InlineData(null, false)]
    public void An_update_is_in_progress_while_updating_or_rolling_back(string? state, bool inProgress)
    {
        var mapped = DockerModelMapper.ToService(new DockerService { ID = "svc1", UpdateStatus = new UpdateStatus { State = state } });

        Assert.Equal(inProgress, mapped.UpdateInProgress);
    }

    [Fact]
    public void A_task_maps_its_address_on_each_network_from_cidr()
    {
        var task = Task("t1", "svc1", TaskState.Running,
            Attachment("net-a", "10.0.1.5/24", "10.0.1.6/24"),
            Attachment("net-b", "fd00::5/64"),
            Attachment("net-c", "10.0.3.7"),
            Attachment(null, "10.0.4.1/24"),
            Attachment("net-e"),
            Attachment("net-f", null),
            Attachment("net-g", "not-an-ip/24"));

        var mapped = DockerModelMapper.ToTask(task);

        Assert.Equal("t1", mapped.Id);
        Assert.Equal("svc1", mapped.ServiceId);
        Assert.Equal("node-1", mapped.NodeId);
        Assert.Equal("running", mapped.State);
        Assert.Equal(
            new Dictionary<string, IPAddress>
            {
                ["net-a"] = IPAddress.Parse("10.0.1.5"),
                ["net-b"] = IPAddress.Parse("fd00::5"),
                ["net-c"] = IPAddress.Parse("10.0.3.7"),
            },
            mapped.Addresses.ToDictionary());
    }

    [Theory]
    [InlineData(TaskState.Starting, "starting")]
    [InlineData(TaskState.Preparing, "preparing")]
    [InlineData(TaskState.Shutdown, "shutdown")]
    [InlineData(null, "unknown")]
    public void A_task_state_is_lowercase_text(TaskState? state, string expected)
    {
        Assert.Equal(expected, DockerModelMapper.ToTask(Task("t1", "svc1", state)).State);
    }

    [Fact]
    public void A_task_with_missing_fields_maps_to_empty_values()
    {
        var mapped = DockerModelMapper.ToTask(new TaskResponse { ID = "t1" });

        Assert.Equal(new SwarmTask("t1", "", "", "unknown", ImmutableDictionary<string, IPAddress>.Empty), mapped);
    }

    [Fact]
    public void Tasks_are_grouped_by_service_and_ordered_by_id()
    {
        var grouped = DockerModelMapper.GroupTasks([
            Task("t3", "svc1", TaskState.Running),
            Task("t1", "svc2", TaskState.Running),
            Task("t2", "svc1", TaskState.Running),
        ]);

        Assert.Equal(["svc1", "svc2"], grouped.Keys.Order().ToArray());
        Assert.Equal(["t2", "t3"], grouped["svc1"].Select(t => t.Id));
        Assert.Equal(["t1"], grouped["svc2"].Select(t => t.Id));
    }

    [Theory]
    [InlineData("ready", true)]
    [InlineData("READY", true)]
    [InlineData("down", false)]
    [InlineData("unknown", true)]
    [InlineData("disconnected", false)]
    [InlineData(null, true)]
    public void Only_a_down_or_disconnected_node_is_unreachable(string? state, bool reachable)
    {
        var node = new NodeListResponse
        {
            ID = "n1",
            Description = new NodeDescription { Hostname = "worker-1" },
            Status = new NodeStatus { State = state },
        };

        Assert.Equal(new SwarmNode("n1", "worker-1", reachable), DockerModelMapper.ToNode(node));
    }

    [Fact]
    public void A_node_without_description_or_status_is_named_by_id_and_reachable()
    {
        Assert.Equal(new SwarmNode("n1", "n1", true), DockerModelMapper.ToNode(new NodeListResponse { ID = "n1" }));
    }
}
