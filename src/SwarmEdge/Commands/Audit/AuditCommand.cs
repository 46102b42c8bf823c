using System.CommandLine;
using System.Net;
using Docker.DotNet;
using SwarmEdge.Discovery;

namespace SwarmEdge.Commands.Audit;

/// <summary>
/// swarmedge audit: reads the swarm from a manager and reports what is exposed outside the edge nodes.
/// Exit codes: 0 nothing exposed, 1 exposure found, 2 usage or connection error. Output goes to stdout (the
/// report is the product, so it is plain text or JSON rather than log lines); errors go to stderr.
/// </summary>
internal static class AuditCommand
{
    public const int NothingExposed = 0;
    public const int ExposureFound = 1;
    public const int Error = 2;

    /// <summary>A command-line tool should fail fast; the proxy's retries and failover are not wanted here.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);

    public static Command Create(TextWriter output, TextWriter error)
    {
        var docker = new Option<string>("--docker")
        {
            Description = "Docker API of a swarm manager (unix:///path or tcp://host:port)",
            DefaultValueFactory = _ => "unix:///var/run/docker.sock",
        };
        var edgeLabel = new Option<string>("--edge-label")
        {
            Description = "node label of the edge nodes: key=value, or key for any value",
            DefaultValueFactory = _ => EdgeLabel.Default.ToString(),
        };
        var format = new Option<string>("--format")
        {
            Description = "report format",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json");

        var command = new Command("audit",
            "Report the ports the swarm publishes outside its edge nodes, the services SwarmEdge could front, and the "
            + "iptables rules that close those ports on the other nodes. Exit code: 0 nothing exposed, 1 exposure found, 2 error.")
        {
            docker,
            edgeLabel,
            format,
        };
        command.SetAction((parse, ct) => RunAsync(
            parse.GetValue(docker)!, parse.GetValue(edgeLabel)!, parse.GetValue(format)!, output, error, ct));
        return command;
    }

    public static async Task<int> RunAsync(string endpoint, string edgeLabelText, string format, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (!EdgeLabel.TryParse(edgeLabelText, out var edgeLabel, out var labelError))
        {
            await error.WriteLineAsync(labelError);
            return Error;
        }

        if (!DockerEndpoint.TryParse(endpoint, out var uri))
        {
            await error.WriteLineAsync($"--docker must be a Docker API address ({DockerEndpoint.Forms}), such as unix:///var/run/docker.sock or tcp://10.0.0.5:2375, not '{endpoint}'");
            return Error;
        }

        AuditSnapshot snapshot;
        try
        {
            using var client = new DockerClientBuilder().WithEndpoint(uri).Build();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(RequestTimeout);
            snapshot = await new SwarmAuditReader(client).ReadAsync(timeout.Token);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            await error.WriteLineAsync(DescribeFailure(ex, endpoint));
            return Error;
        }

        var report = ExposureAnalyzer.Analyze(snapshot, edgeLabel);
        await output.WriteAsync(format == "json" ? AuditRenderer.JsonText(report, endpoint) : AuditRenderer.Text(report, endpoint));
        return report.Exposed ? ExposureFound : NothingExposed;
    }

    /// <summary>Pure: the one line a person needs when the swarm could not be read.</summary>
    public static string DescribeFailure(Exception ex, string endpoint) => ex switch
    {
        AggregateException { InnerExceptions.Count: 1 } agg => DescribeFailure(agg.InnerExceptions[0], endpoint),
        DockerApiException { StatusCode: HttpStatusCode.ServiceUnavailable } api when api.ResponseBody?.Contains("not a swarm manager", StringComparison.OrdinalIgnoreCase) == true =>
            $"error: {endpoint} is not a swarm manager (Docker said: {Message(api)}). Point --docker at a manager of the swarm.",
        DockerApiException api => $"error: the Docker API at {endpoint} refused the request: {DockerApi.Describe(api)}",
        OperationCanceledException => $"error: the Docker API at {endpoint} did not answer within {RequestTimeout.TotalSeconds:0} s",
        _ => $"error: cannot reach the Docker API at {endpoint}: {DockerApi.Describe(ex)}",
    };

    /// <summary>Docker wraps its message in JSON: {"message":"..."}.</summary>
    private static string Message(DockerApiException api)
    {
        var body = api.ResponseBody?.Trim() ?? "";
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(body);
            if (json.RootElement.TryGetProperty("message", out var message) && message.GetString() is { } text)
            {
                return text.Trim();
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON: the body is the message.
        }

        return body;
    }
}
