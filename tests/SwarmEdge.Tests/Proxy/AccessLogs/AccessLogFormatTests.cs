using System.Net;
using System.Text;
using System.Text.Json;
using SwarmEdge.Proxy.AccessLogs;

namespace SwarmEdge.Tests.Proxy.AccessLogs;

public class AccessLogFormatTests
{
    private static readonly AccessLogLine Line = new(
        new DateTimeOffset(2026, 12, 4, 5, 20, 1, 250, TimeSpan.Zero), IPAddress.Parse("203.0.113.7"), "GET", "shop.test", "/cart/7", "?x=1", "HTTP/1.1",
        200, 512, TimeSpan.FromMilliseconds(3.25), TimeSpan.FromMilliseconds(2.5), "shop_web/default", "shop_web", "task-1", 1, "curl/8 \"quoted\"\nnext", null);

    [Fact]
    public void A_json_line_is_one_line_of_json_with_every_field()
    {
        var bytes = AccessLogFormat.Json(Line);

        var text = Encoding.UTF8.GetString(bytes);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.Single(text.TrimEnd('\n').Split('\n'));
        var json = JsonDocument.Parse(text).RootElement;
        Assert.Equal("2026-12-04T05:20:01.25+00:00", json.GetProperty("time").GetString());
        Assert.Equal(("203.0.113.7", "GET", "shop.test", "/cart/7", "?x=1", 200, 512), (json.GetProperty("client").GetString(), json.GetProperty("method").GetString(),
            json.GetProperty("host").GetString(), json.GetProperty("path").GetString(), json.GetProperty("query").GetString(), json.GetProperty("status").GetInt32(), json.GetProperty("bytes").GetInt64()));
        Assert.Equal((3.25, 2.5, "shop_web/default", "shop_web", "task-1", 1), (json.GetProperty("duration_ms").GetDouble(), json.GetProperty("upstream_ms").GetDouble(),
            json.GetProperty("route").GetString(), json.GetProperty("service").GetString(), json.GetProperty("task").GetString(), json.GetProperty("retries").GetInt32()));
        Assert.Equal("curl/8 \"quoted\"\nnext", json.GetProperty("user_agent").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("referer").ValueKind);
    }

    [Fact]
    public void The_common_and_combined_lines_are_apaches_with_the_clients_text_escaped_onto_one_line()
    {
        Assert.Equal("203.0.113.7 - - [04/Dec/2026:05:20:01 +0000] \"GET /cart/7?x=1 HTTP/1.1\" 200 512\n", Encoding.UTF8.GetString(AccessLogFormat.Text(Line, combined: false)));
        Assert.Equal("203.0.113.7 - - [04/Dec/2026:05:20:01 +0000] \"GET /cart/7?x=1 HTTP/1.1\" 200 512 \"-\" \"curl/8 \\\"quoted\\\"\\x0anext\" \"shop_web/default\" \"task-1\" 3ms\n",
            Encoding.UTF8.GetString(AccessLogFormat.Text(Line, combined: true)));
    }

    [Fact]
    public void A_request_no_route_took_has_empty_route_fields()
    {
        var json = JsonDocument.Parse(AccessLogFormat.Json(Line with { Route = null, Service = null, Task = null, Bytes = null, Client = null })).RootElement;

        Assert.Equal(JsonValueKind.Null, json.GetProperty("route").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("bytes").ValueKind);
        Assert.Equal("", json.GetProperty("client").GetString());
    }
}

public class AccessLogFilterTests
{
    private static AccessLogFilter Filter(string statuses = "", double minMs = 0, double sample = 1) =>
        AccessLogFilter.From(new AccessLogOptions { StatusCodes = statuses, MinDuration = TimeSpan.FromMilliseconds(minMs), SampleRate = sample }).Filter!;

    [Fact]
    public void Errors_slow_and_retried_requests_are_kept_and_the_rest_sampled()
    {
        var filter = Filter("404,500-599", minMs: 100, sample: 0.1);

        Assert.True(filter.Keeps(503, 0, TimeSpan.FromMilliseconds(1), draw: 0.99));
        Assert.True(filter.Keeps(404, 0, TimeSpan.FromMilliseconds(1), draw: 0.99));
        Assert.True(filter.Keeps(200, 0, TimeSpan.FromMilliseconds(150), draw: 0.99));
        Assert.True(filter.Keeps(200, 1, TimeSpan.FromMilliseconds(1), draw: 0.99));
        Assert.False(filter.Keeps(200, 0, TimeSpan.FromMilliseconds(1), draw: 0.5));
        Assert.True(filter.Keeps(200, 0, TimeSpan.FromMilliseconds(1), draw: 0.05));
    }

    [Fact]
    public void Without_filters_every_line_is_kept_at_the_default_rate()
    {
        Assert.True(Filter().Keeps(200, 0, TimeSpan.Zero, draw: 0.999));
    }

    [Theory]
    [InlineData("5xx", 1, "\"5xx\" is not a status code or a range")]
    [InlineData("599-500", 1, "is not a status code or a range")]
    [InlineData("", 1.5, "SampleRate 1.5 is not a share from 0 to 1")]
    public void Unreadable_settings_are_refused(string statuses, double sample, string error)
    {
        Assert.Contains(error, AccessLogFilter.From(new AccessLogOptions { StatusCodes = statuses, SampleRate = sample }).Error, StringComparison.Ordinal);
    }
}
