using System.Text.Json;
using SwarmEdge.Admin;
using SwarmEdge.Commands;

namespace SwarmEdge.Tests.Commands;

public class StatusRendererTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static AdminApi.ServiceDocument Service(string name, bool routed = true, int endpoints = 2, string[]? errors = null, bool lastGood = false) => new(
        "svc-" + name, name, routed, lastGood, routed ? "net-a" : null, 80,
        routed ? [new AdminApi.RouteDocument($"{name}/default", [$"{name}.example.com"], "/api", false, [], [], null, false, 80)] : [],
        [.. Enumerable.Range(1, endpoints).Select(i => new AdminApi.EndpointDocument($"t{i}", "node-1", $"10.0.1.{i}:80", $"http://10.0.1.{i}:80/"))],
        errors ?? [], [], null, []);

    private static AdminApi.ServicesDocument Document(params AdminApi.ServiceDocument[] services) =>
        new(true, Now.AddSeconds(-3), "unix:///var/run/docker.sock", null, services, new EdgeStatus.RoutesFileStatus("/etc/swarmedge/routes.yml", Now.AddMinutes(-5), 1, null));

    [Fact]
    public void Services_with_errors_come_first_and_each_error_is_named_under_its_service()
    {
        var text = StatusRenderer.Render(Document(
            Service("web"),
            Service("api", endpoints: 0),
            Service("broken", routed: false, endpoints: 0, errors: ["label swarmedge.http.port=\"x\": must be a port number from 1 to 65535"]),
            Service("stale", errors: ["label swarmedge.http.host=\"a b\": bad", "serving the last good routing until the errors above are fixed"], lastGood: true)), Now);

        var lines = text.Split('\n');
        Assert.Equal("edge:         ready", lines[0]);
        Assert.Equal("docker api:   unix:///var/run/docker.sock, last read 3 s ago", lines[1]);
        Assert.Equal("routes file:  /etc/swarmedge/routes.yml, 1 services, read 5 min ago", lines[2]);
        Assert.Equal("services:     4 (3 routed, 2 with errors, 1 routed without endpoints)", lines[3]);
        Assert.Equal(
            ["broken   unrouted            0  -",
             "stale    last-good           2  stale.example.com/api",
             "api      no-tasks            0  api.example.com/api",
             "web      serving             2  web.example.com/api"],
            lines[6..10]);
        Assert.Contains("  error: label swarmedge.http.port=\"x\": must be a port number from 1 to 65535", lines);
        Assert.Contains("  error: serving the last good routing until the errors above are fixed", lines);
    }

    [Fact]
    public void A_failing_docker_api_says_the_last_good_routes_serve()
    {
        var document = Document(Service("web")) with { DockerError = "connection refused" };

        Assert.Contains("docker api:   unix:///var/run/docker.sock, FAILING: connection refused (serving the last good routes)", StatusRenderer.Render(document, Now));
    }

    [Fact]
    public void One_service_is_shown_with_its_endpoints()
    {
        var text = StatusRenderer.Render(Document(Service("web"), Service("api")), Now, "web");

        Assert.DoesNotContain("api.example.com", text, StringComparison.Ordinal);
        Assert.Contains("  endpoint t2 on node-1: http://10.0.1.2:80/", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_admin_api_s_json_reads_back_into_the_document_the_command_renders()
    {
        var document = Document(Service("web"), Service("broken", routed: false, errors: ["bad"]));
        var web = new JsonSerializerOptions(JsonSerializerDefaults.Web);

        var read = JsonSerializer.Deserialize<AdminApi.ServicesDocument>(JsonSerializer.Serialize(document, web), web)!;

        Assert.Equal(StatusRenderer.Render(document, Now), StatusRenderer.Render(read, Now));
    }
}
