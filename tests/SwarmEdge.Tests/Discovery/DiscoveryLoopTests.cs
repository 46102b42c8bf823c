using SwarmEdge.Discovery;
using static SwarmEdge.Tests.TestData;

namespace SwarmEdge.Tests.Discovery;

public class DiscoveryLoopTests
{
    private static bool IsSettled(int? replicas, params string[] states) =>
        DiscoveryLoop.IsSettled(
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
