using SwarmEdge.Admin;
using SwarmEdge.Admin.Dashboard;

namespace SwarmEdge.Tests.Admin.Dashboard;

public class TrafficMathTests
{
    private static readonly double[] Bounds = [0.001, 0.01, 0.1, 1];

    private const string Exposition = """
        # HELP swarmedge_requests_total Requests answered by the proxy, by route and status code.
        # TYPE swarmedge_requests_total counter
        swarmedge_requests_total{route="shop/default",code="200"} 90
        swarmedge_requests_total{route="shop/default",code="502"} 6
        swarmedge_requests_total{route="shop/default",code="503"} 4
        swarmedge_requests_total{route="we\"ird\\route",code="200"} 1
        swarmedge_retries_total{route="shop/default"} 3
        # TYPE swarmedge_request_duration_seconds histogram
        swarmedge_request_duration_seconds_sum{route="shop/default"} 4.2
        swarmedge_request_duration_seconds_count{route="shop/default"} 100
        swarmedge_request_duration_seconds_bucket{route="shop/default",le="0.001"} 10
        swarmedge_request_duration_seconds_bucket{route="shop/default",le="0.01"} 60
        swarmedge_request_duration_seconds_bucket{route="shop/default",le="0.1"} 99
        swarmedge_request_duration_seconds_bucket{route="shop/default",le="1"} 100
        swarmedge_request_duration_seconds_bucket{route="shop/default",le="+Inf"} 100
        swarmedge_service_endpoints{service="shop"} 3
        """;

    [Fact]
    public void The_exposition_reads_back_into_each_route_s_requests_errors_retries_and_buckets()
    {
        var routes = TrafficMath.Parse(Exposition, Bounds);

        var shop = routes["shop/default"];
        Assert.Equal((100L, 10L, 3L), (shop.Requests, shop.Errors, shop.Retries));
        Assert.Equal([10L, 60, 99, 100, 100], shop.Buckets);
        Assert.Equal(1, routes["we\"ird\\route"].Requests);
    }

    [Fact]
    public void Between_two_readings_rates_and_quantiles_are_those_of_what_happened_in_between()
    {
        var older = new RouteCounters(100, 10, 3, [10, 60, 99, 100, 100]);
        var newer = new RouteCounters(300, 12, 5, [10, 60, 289, 300, 300]);

        var traffic = TrafficMath.Between(older, newer, TimeSpan.FromSeconds(10), Bounds);

        Assert.Equal(20, traffic.RequestsPerSecond, 6);
        Assert.Equal(0.01, traffic.ErrorRatio, 6);
        Assert.Equal(2, traffic.Retries);
        // 200 new requests: 190 between 10 and 100 ms, 10 between 100 ms and 1 s. p50 is the 100th: 0.01 + 0.09 * 100 / 190.
        Assert.Equal(0.01 + (0.09 * 100 / 190), traffic.P50!.Value, 9);
        // p99 is the 198th: 190 in the third bucket, then 8 of the fourth's 10: 0.1 + 0.9 * 8 / 10.
        Assert.Equal(0.1 + (0.9 * 8 / 10), traffic.P99!.Value, 9);
    }

    [Fact]
    public void A_route_new_in_the_later_reading_starts_from_zero_and_a_quiet_one_has_no_quantiles()
    {
        var fresh = TrafficMath.Between(null, new RouteCounters(50, 0, 0, [50, 50, 50, 50, 50]), TimeSpan.FromSeconds(5), Bounds);
        var quiet = TrafficMath.Between(new RouteCounters(5, 0, 0, [5, 5, 5, 5, 5]), new RouteCounters(5, 0, 0, [5, 5, 5, 5, 5]), TimeSpan.FromSeconds(5), Bounds);

        Assert.Equal((10.0, 0.0005), (fresh.RequestsPerSecond, fresh.P50!.Value));
        Assert.Equal((0.0, (double?)null, (double?)null), (quiet.RequestsPerSecond, quiet.P50, quiet.P99));
    }

    [Fact]
    public void Observations_beyond_the_last_bound_are_reported_as_that_bound()
    {
        Assert.Equal(1, TrafficMath.Quantile(0.99, Bounds, [0, 0, 0, 1, 100]));
    }

    [Fact]
    public async Task The_request_duration_histogram_s_bounds_are_the_ones_the_dashboard_reads()
    {
        SwarmEdgeMetrics.RequestDuration.WithLabels("traffic-math-test").Observe(0.02);
        using var text = new MemoryStream();
        await Prometheus.Metrics.DefaultRegistry.CollectAndExportAsTextAsync(text);

        var routes = TrafficMath.Parse(System.Text.Encoding.UTF8.GetString(text.ToArray()), SwarmEdgeMetrics.DurationBuckets);

        Assert.Equal(1, routes["traffic-math-test"].Buckets[^1]);
        Assert.Equal(0, routes["traffic-math-test"].Buckets[Array.IndexOf(SwarmEdgeMetrics.DurationBuckets, 0.01)]);
        Assert.Equal(1, routes["traffic-math-test"].Buckets[Array.IndexOf(SwarmEdgeMetrics.DurationBuckets, 0.025)]);
    }
}
