using SwarmEdge.Acme;

namespace SwarmEdge.Tests.Acme;

public class OrderPlanTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    private static StoredCertificate Valid(string host, double daysAgo, double daysLeft) =>
        new("c-" + host, host, Now.AddDays(-daysAgo), Now.AddDays(daysLeft), "");

    private static IReadOnlyList<DueOrder> Due(string[] hosts, StoredCertificate[]? certificates = null, FailurePayload[]? failures = null) =>
        OrderPlan.Due(hosts, (certificates ?? []).ToDictionary(c => c.Host), (failures ?? []).ToDictionary(f => f.Host), Now, 1.0 / 3);

    [Fact]
    public void A_host_without_a_certificate_is_ordered()
    {
        Assert.Equal([new DueOrder("shop.test", "no certificate")], Due(["shop.test"]));
    }

    [Fact]
    public void A_certificate_with_more_than_a_third_of_its_life_left_is_not_ordered_again()
    {
        Assert.Empty(Due(["shop.test"], [Valid("shop.test", 59, 31)]));
    }

    [Fact]
    public void A_certificate_with_less_than_a_third_of_its_life_left_is_renewed()
    {
        var due = Assert.Single(Due(["shop.test"], [Valid("shop.test", 61, 29)]));

        Assert.Equal("shop.test", due.Host);
        Assert.StartsWith("renewal: 696 h left of 2160 h", due.Reason);
    }

    [Fact]
    public void After_a_failure_nothing_is_ordered_for_that_host_until_its_next_attempt()
    {
        var failure = new FailurePayload("shop.test", "rate limited", 3, Now.AddMinutes(-1), Now.AddMinutes(19));

        Assert.Empty(Due(["shop.test"], failures: [failure]));
        Assert.Single(OrderPlan.Due(["shop.test"], new Dictionary<string, StoredCertificate>(),
            new Dictionary<string, FailurePayload> { ["shop.test"] = failure }, Now.AddMinutes(20), 1.0 / 3));
    }

    [Fact]
    public void A_long_first_wait_after_many_failures_does_not_overflow()
    {
        Assert.Equal(Now.AddHours(24), OrderPlan.NextAttempt(40, Now, TimeSpan.FromMinutes(30), TimeSpan.FromHours(24)));
    }

    [Fact]
    public void A_renewal_request_orders_a_routed_host_now_whatever_its_certificate_and_failures()
    {
        var failure = new FailurePayload("shop.test", "refused", 4, Now, Now.AddHours(2));
        var due = OrderPlan.Due(["shop.test", "api.test"], new Dictionary<string, StoredCertificate> { ["shop.test"] = Valid("shop.test", 1, 89) },
            new Dictionary<string, FailurePayload> { ["shop.test"] = failure }, Now, 1.0 / 3, new HashSet<string> { "shop.test", "gone.test" });

        Assert.Equal([new DueOrder("shop.test", "renewal requested"), new DueOrder("api.test", "no certificate")], due.ToArray());
    }

    [Fact]
    public void Only_the_hosts_still_routed_are_ordered()
    {
        Assert.Equal(["a.test", "c.test"], Due(["a.test", "c.test"], [Valid("b.test", 80, 5)]).Select(d => d.Host));
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(9, 1280)]
    [InlineData(10, 1440)]
    [InlineData(1000, 1440)]
    [InlineData(int.MaxValue, 1440)]
    public void Failures_in_a_row_double_the_wait_up_to_the_longest(int failures, int minutes)
    {
        Assert.Equal(Now.AddMinutes(minutes), OrderPlan.NextAttempt(failures, Now, TimeSpan.FromMinutes(5), TimeSpan.FromHours(24)));
    }
}
