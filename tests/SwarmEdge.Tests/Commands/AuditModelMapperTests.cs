using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using SwarmEdge.Commands.Audit;
using DockerService = Docker.DotNet.Models.SwarmService;
using DockerTaskStatus = Docker.DotNet.Models.TaskStatus;

namespace SwarmEdge.Tests.Commands;

public class AuditModelMapperTests
{
    private static readonly System.Collections.Immutable.ImmutableHashSet<string> NoHostNetwork = AuditModelMapper.HostNetworkTargets([]);

    [Fact]
    public void A_service_on_the_host_network_is_known_by_the_network_name_or_the_ID_of_a_host_driver_network()
    {
        var targets = AuditModelMapper.HostNetworkTargets(
        [
            new NetworkResponse { ID = "hostid", Name = "host", Driver = "host" },
            new NetworkResponse { ID = "bridgeid", Name = "bridge", Driver = "bridge" },
        ]);
        DockerService On(string target) => new()
        {
            ID = "s-" + target,
            Spec = new ServiceSpec { Name = target, TaskTemplate = new TaskSpec { Networks = [new NetworkAttachmentConfig { Target = target }] } },
        };

        Assert.True(AuditModelMapper.ToService(On("hostid"), targets).HostNetwork);
        Assert.True(AuditModelMapper.ToService(On("host"), NoHostNetwork).HostNetwork);
        Assert.False(AuditModelMapper.ToService(On("bridgeid"), targets).HostNetwork);
        Assert.False(AuditModelMapper.ToService(new DockerService { ID = "none" }, targets).HostNetwork);
    }

    [Fact]
    public void A_service_takes_the_ports_the_manager_allocated_and_falls_back_to_its_spec()
    {
        var allocated = AuditModelMapper.ToService(new DockerService
        {
            ID = "s1",
            Spec = new ServiceSpec
            {
                Name = "web",
                EndpointSpec = new EndpointSpec { Ports = [new PortConfig { TargetPort = 80, Protocol = "tcp", PublishMode = "ingress" }] },
                Labels = new Dictionary<string, string> { ["swarmedge.enable"] = "true" },
            },
            Endpoint = new Endpoint { Ports = [new PortConfig { TargetPort = 80, PublishedPort = 30001, Protocol = "tcp", PublishMode = "ingress" }] },
        }, NoHostNetwork);
        var notYet = AuditModelMapper.ToService(new DockerService
        {
            ID = "s2",
            Spec = new ServiceSpec { Name = "api", EndpointSpec = new EndpointSpec { Mode = "dnsrr", Ports = [new PortConfig { TargetPort = 81, PublishedPort = 81, PublishMode = "host" }] } },
        }, NoHostNetwork);

        Assert.Equal([new PortPublication("tcp", 80, 30001, PublishMode.Ingress)], allocated.Ports.ToArray());
        Assert.Equal(("web", "vip", "true"), (allocated.Name, allocated.EndpointMode, allocated.Labels["swarmedge.enable"]));
        Assert.Equal([new PortPublication("tcp", 81, 81, PublishMode.Host)], notYet.Ports.ToArray());
        Assert.Equal("dnsrr", notYet.EndpointMode);
    }

    [Fact]
    public void A_task_reports_each_bound_port_once_although_Docker_lists_it_per_address_family()
    {
        var port = new PortConfig { TargetPort = 82, PublishedPort = 18903, Protocol = "TCP", PublishMode = "host" };
        var task = AuditModelMapper.ToTask(new TaskResponse
        {
            ID = "t1",
            ServiceID = "s1",
            NodeID = "n1",
            Status = new DockerTaskStatus { PortStatus = new PortStatus { Ports = [port, port] } },
        });

        Assert.Equal([new PortPublication("tcp", 82, 18903, PublishMode.Host)], task.PortStatus.ToArray());
    }

    [Fact]
    public void Missing_fields_get_safe_defaults()
    {
        var service = AuditModelMapper.ToService(new DockerService { ID = "s1" }, NoHostNetwork);
        var task = AuditModelMapper.ToTask(new TaskResponse { ID = "t1" });
        var node = AuditModelMapper.ToNode(new NodeListResponse { ID = "n1" });

        Assert.Equal(("s1", "vip", 0), (service.Name, service.EndpointMode, service.Ports.Length));
        Assert.Equal(("", "", 0), (task.ServiceId, task.NodeId, task.PortStatus.Length));
        Assert.Equal(("n1", "worker", "unknown", 0), (node.Hostname, node.Role, node.State, node.Labels.Count));
    }

    [Fact]
    public void A_node_keeps_its_labels_role_and_state()
    {
        var node = AuditModelMapper.ToNode(new NodeListResponse
        {
            ID = "n1",
            Description = new NodeDescription { Hostname = "edge-1" },
            Spec = new NodeUpdateParameters { Role = "manager", Availability = "drain", Labels = new Dictionary<string, string> { ["swarmedge.edge"] = "true" } },
            Status = new NodeStatus { State = "ready" },
        });

        Assert.Equal(("edge-1", "manager", "ready", "drain"), (node.Hostname, node.Role, node.State, node.Availability));
        Assert.True(EdgeLabel.Default.Matches(node.Labels));
    }

    [Fact]
    public void Not_a_swarm_manager_is_said_in_plain_words()
    {
        var body = "{\"message\":\"This node is not a swarm manager. Use \\\"docker swarm init\\\" or \\\"docker swarm join\\\" to connect this node to swarm and try again.\"}";
        var message = AuditCommand.DescribeFailure(new DockerApiException(HttpStatusCode.ServiceUnavailable, body), "unix:///var/run/docker.sock");

        Assert.StartsWith("error: unix:///var/run/docker.sock is not a swarm manager (Docker said: This node is not a swarm manager.", message);
        Assert.EndsWith("Point --docker at a manager of the swarm.", message);
    }

    [Fact]
    public void Unreachable_and_slow_endpoints_are_told_apart()
    {
        Assert.StartsWith("error: cannot reach the Docker API at tcp://10.0.0.5:2375:",
            AuditCommand.DescribeFailure(new HttpRequestException("Connection refused"), "tcp://10.0.0.5:2375"));
        Assert.Equal("error: the Docker API at tcp://10.0.0.5:2375 did not answer within 15 s",
            AuditCommand.DescribeFailure(new TaskCanceledException(), "tcp://10.0.0.5:2375"));
    }
}
