using System.Collections.Immutable;
using System.Net;
using SwarmEdge.Catalog;
using SwarmEdge.Discovery;
using static SwarmEdge.Tests.TestData;

namespace SwarmEdge.Tests.Catalog;

public class EndpointSelectorTests
{
    private static readonly ImmutableDictionary<string, SwarmNode> Nodes = new Dictionary<string, SwarmNode>
    {
        ["node-1"] = new("node-1", "worker-1", true),
        ["node-down"] = new("node-down", "worker-2", false),
    }.ToImmutableDictionary();

    private static readonly SwarmTask T1 = TaskAt("t1", "svc", "10.0.1.1");
    private static readonly SwarmTask T2 = TaskAt("t2", "svc", "10.0.1.2");

    private static EndpointSelector.Selection Select(IEnumerable<SwarmTask> tasks, DnsAnswer? dns, params string[] previouslyConfirmed) =>
        EndpointSelector.Select([.. tasks], "net-a", 8080, Nodes, dns, previouslyConfirmed.ToHashSet());

    private static TaskEndpoint Endpoint(string task, string ip, string node = "node-1") => new(task, node, IPAddress.Parse(ip), 8080);

    [Fact]
    public void Candidates_are_running_tasks_with_an_address_on_the_network_on_a_ready_or_unknown_node()
    {
        var tasks = new[]
        {
            TaskAt("t5", "svc", "10.0.1.5", node: "node-unknown"),
            TaskAt("t1", "svc", "10.0.1.1"),
            TaskAt("t2", "svc", "10.0.1.2", state: "starting"),
            TaskAt("t3", "svc", "10.0.2.3", network: "net-b"),
            TaskAt("t4", "svc", "10.0.1.4", node: "node-down"),
            TaskAt("t6", "svc", "10.0.1.6", state: "shutdown"),
        };

        var selection = Select(tasks, dns: null);

        Assert.Equal([Endpoint("t1", "10.0.1.1"), Endpoint("t5", "10.0.1.5", "node-unknown")], selection.Endpoints.ToArray());
        Assert.Empty(selection.ConfirmedTaskIds);
    }

    [Fact]
    public void Endpoint_url_brackets_ipv6_addresses()
    {
        Assert.Equal("http://10.0.1.1:8080/", Endpoint("t1", "10.0.1.1").Url);
        Assert.Equal("http://[fd00::5]:8080/", Endpoint("t1", "fd00::5").Url);
    }

    [Fact]
    public void A_task_listed_in_dns_becomes_confirmed()
    {
        var selection = Select([T1, T2], Dns("10.0.1.1"));

        Assert.Equal(["t1"], selection.ConfirmedTaskIds.ToArray());
    }

    [Fact]
    public void An_unconfirmed_task_absent_from_dns_still_gets_traffic()
    {
        var selection = Select([T1, T2], Dns("10.0.1.1"));

        Assert.Equal([Endpoint("t1", "10.0.1.1"), Endpoint("t2", "10.0.1.2")], selection.Endpoints.ToArray());
    }

    [Fact]
    public void An_empty_dns_answer_removes_no_task_it_never_confirmed()
    {
        var selection = Select([T1, T2], Dns());

        Assert.Equal(2, selection.Endpoints.Length);
        Assert.Empty(selection.ConfirmedTaskIds);
    }

    [Fact]
    public void Dns_removes_a_task_it_confirmed_before_and_no_longer_lists_and_the_task_stays_confirmed()
    {
        var selection = Select([T1, T2], Dns("10.0.1.2"), "t1");

        Assert.Equal([Endpoint("t2", "10.0.1.2")], selection.Endpoints.ToArray());
        Assert.Equal(["t1", "t2"], selection.ConfirmedTaskIds.ToArray());
    }

    [Fact]
    public void A_failed_dns_answer_removes_nothing_and_keeps_confirmations()
    {
        var selection = Select([T1, T2], DnsAnswer.Failed("timeout"), "t1");

        Assert.Equal([Endpoint("t1", "10.0.1.1"), Endpoint("t2", "10.0.1.2")], selection.Endpoints.ToArray());
        Assert.Equal(["t1"], selection.ConfirmedTaskIds.ToArray());
    }

    [Fact]
    public void No_dns_answer_removes_nothing_and_keeps_confirmations()
    {
        var selection = Select([T1, T2], dns: null, "t1", "t2");

        Assert.Equal(2, selection.Endpoints.Length);
        Assert.Equal(["t1", "t2"], selection.ConfirmedTaskIds.ToArray());
    }

    [Fact]
    public void Confirmations_of_tasks_that_are_no_longer_candidates_are_dropped()
    {
        var selection = Select([T1], Dns("10.0.1.1"), "t1", "gone");

        Assert.Equal(["t1"], selection.ConfirmedTaskIds.ToArray());
    }

    [Fact]
    public void A_new_task_reusing_the_ip_of_a_confirmed_task_is_not_removed_before_dns_lists_it()
    {
        // "old" had 10.0.1.1 and was confirmed; it is gone and "new" got the same IP, not yet in DNS.
        var reused = TaskAt("new", "svc", "10.0.1.1");

        var selection = Select([reused, T2], Dns("10.0.1.2"), "old", "t2");

        Assert.Equal([Endpoint("new", "10.0.1.1"), Endpoint("t2", "10.0.1.2")], selection.Endpoints.ToArray());
        Assert.Equal(["t2"], selection.ConfirmedTaskIds.ToArray());
    }

    [Fact]
    public void A_new_task_reusing_the_ip_of_a_confirmed_task_is_confirmed_under_its_own_id_when_dns_lists_it()
    {
        var reused = TaskAt("new", "svc", "10.0.1.1");

        var selection = Select([reused], Dns("10.0.1.1"), "old");

        Assert.Equal([Endpoint("new", "10.0.1.1")], selection.Endpoints.ToArray());
        Assert.Equal(["new"], selection.ConfirmedTaskIds.ToArray());
    }

    [Fact]
    public void Endpoints_are_in_task_ID_order_whatever_order_the_tasks_came_in()
    {
        var t3 = TaskAt("t3", "svc", "10.0.1.3");

        var selection = Select([t3, T1, T2], null);

        Assert.Equal([Endpoint("t1", "10.0.1.1"), Endpoint("t2", "10.0.1.2"), Endpoint("t3", "10.0.1.3")], selection.Endpoints.ToArray());
    }
}
