using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SwarmEdge.Proxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace SwarmEdge.Tests.Proxy;

/// <summary>
/// The middleware with DefaultHttpContext, hand-built cluster state and a fake rest of the pipeline (load
/// balancing to the first task left, then a forward whose outcome each task decides), as YARP tests its own.
/// </summary>
public class RetryMiddlewareTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly List<string> _attempts = [];
    private readonly List<string> _bodies = [];
    private readonly Dictionary<string, Func<HttpContext, Task>> _tasks = new();
    private readonly Dictionary<string, string> _nodeOf = new();
    private readonly SuspectNodes _suspects;
    private readonly HashSet<string> _joinsLater = [];
    private readonly List<long> _attemptedAt = [];
    private ClusterState? _cluster;

    public RetryMiddlewareTests() => _suspects = SuspectNodesTests.Create(_time);

    private static Task Answers(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        return Task.CompletedTask;
    }

    private static Task Refuses(HttpContext context) =>
        Fails(context, ForwarderError.Request, new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused)));

    private static Task Fails(HttpContext context, ForwarderError error, Exception? exception = null)
    {
        context.Response.StatusCode = error == ForwarderError.RequestCanceled ? StatusCodes.Status400BadRequest : StatusCodes.Status502BadGateway;
        context.Features.Set<IForwarderErrorFeature>(new ErrorFeature(error, exception));
        return Task.CompletedTask;
    }

    /// <summary>What PendingResponses does to an attempt whose task left: the flag, then YARP's RequestCanceled with a 502.</summary>
    private static Task AbortedBecauseItsTaskLeft(HttpContext context)
    {
        context.Features.Get<RetryState>()!.MarkAborted();
        context.Features.Set<IForwarderErrorFeature>(new ErrorFeature(ForwarderError.RequestCanceled, new TaskCanceledException()));
        context.Response.StatusCode = StatusCodes.Status502BadGateway;
        return Task.CompletedTask;
    }

    private async Task<HttpContext> SendAsync(
        string method = "GET",
        string? body = null,
        Dictionary<string, string>? metadata = null,
        RetryOptions? retry = null,
        IHttpResponseFeature? response = null,
        CancellationToken clientAborted = default,
        bool chunked = false)
    {
        var options = new SwarmEdgeOptions();
        if (retry is not null)
        {
            options.Proxy.Retry = retry;
        }

        options.ApplyDefaults();
        var middleware = new RetryMiddleware(NextAsync, Options.Create(options), _suspects, _time, NullLogger<RetryMiddleware>.Instance);
        var context = new DefaultHttpContext { RequestAborted = clientAborted };
        if (response is not null)
        {
            context.Features.Set(response);
        }

        context.Request.Method = method;
        context.Features.Set<IHttpRequestBodyDetectionFeature>(new BodyDetection(body is not null));
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = chunked ? null : bytes.Length;
        }

        var cluster = new ClusterState("web");
        var destinations = _tasks.Keys.Where(id => !_joinsLater.Contains(id)).Select(id => new DestinationState(id, new DestinationModel(new DestinationConfig
        {
            Address = $"http://{id}:80/",
            Metadata = _nodeOf.TryGetValue(id, out var node) ? NodeMetadata.Of(node) : null,
        }))).ToList();
        cluster.DestinationsState = new ClusterDestinationsState(destinations, destinations);
        _cluster = cluster;
        var route = new RouteConfig { RouteId = "web/default", ClusterId = "web", Metadata = metadata };
        context.Features.Set<IReverseProxyFeature>(new ReverseProxyFeature
        {
            Route = new RouteModel(route, cluster, HttpTransformer.Default),
            Cluster = cluster.Model,
            AllDestinations = destinations,
            AvailableDestinations = destinations,
        });
        // A wait between attempts is a timer of the fake clock: time moves on until the request is answered.
        var sending = middleware.InvokeAsync(context);
        while (!sending.IsCompleted)
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
            await Task.Yield();
        }

        await sending;
        return context;
    }

    private async Task NextAsync(HttpContext context)
    {
        var proxy = context.GetReverseProxyFeature();
        var destination = proxy.AvailableDestinations[0];
        proxy.ProxiedDestination = destination;
        _attempts.Add(destination.DestinationId);
        _attemptedAt.Add(_time.GetTimestamp());
        if (context.Request.ContentLength is not null)
        {
            _bodies.Add(await new StreamReader(context.Request.Body, leaveOpen: true).ReadToEndAsync());
        }

        await _tasks[destination.DestinationId](context);
    }

    [Fact]
    public async Task A_refused_connection_is_retried_on_another_task()
    {
        _tasks["t1"] = Refuses;
        _tasks["t2"] = Answers;

        var context = await SendAsync();

        Assert.Equal(["t1", "t2"], _attempts);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Null(context.Features.Get<IForwarderErrorFeature>());
    }

    [Fact]
    public async Task A_task_that_refuses_until_it_listens_is_tried_again_after_a_short_wait()
    {
        var refusals = 2;
        _tasks["t1"] = c => refusals-- > 0 ? Refuses(c) : Answers(c);

        var context = await SendAsync();

        Assert.Equal(["t1", "t1", "t1"], _attempts);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        // At least 50 ms, then at least 100 ms (the fake clock runs on while the test waits for the answer).
        Assert.True(_time.GetElapsedTime(_attemptedAt[0], _attemptedAt[1]) >= TimeSpan.FromMilliseconds(50));
        Assert.True(_time.GetElapsedTime(_attemptedAt[1], _attemptedAt[2]) >= TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Refusals_are_waited_out_for_the_refused_wait_at_most()
    {
        _tasks["t1"] = Refuses;
        _tasks["t2"] = Refuses;

        var context = await SendAsync(retry: new RetryOptions { RefusedWait = TimeSpan.FromSeconds(1) });

        // Each round tries both tasks; rounds start after 50, 100, 200 and 400 ms (750 ms), a fifth would end past 1 s.
        Assert.Equal(10, _attempts.Count);
        Assert.Equal(StatusCodes.Status502BadGateway, context.Response.StatusCode);
    }

    [Fact]
    public async Task A_task_that_joined_the_service_during_the_wait_is_tried()
    {
        _tasks["t1"] = c =>
        {
            if (_attempts.Count == 1)
            {
                var joined = new DestinationState("t2", new DestinationModel(new DestinationConfig { Address = "http://t2:80/" }));
                var all = _cluster!.DestinationsState.AllDestinations.Append(joined).ToList();
                _cluster.DestinationsState = new ClusterDestinationsState(all, all);
            }

            return Refuses(c);
        };
        _tasks["t2"] = Answers;
        _joinsLater.Add("t2");

        var context = await SendAsync(retry: new RetryOptions { Attempts = 3 });

        Assert.Equal(["t1", "t1", "t2"], _attempts);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
    }

    [Fact]
    public async Task Only_refusals_are_waited_out_and_a_zero_refused_wait_turns_the_wait_off()
    {
        _tasks["t1"] = c => Fails(c, ForwarderError.Request, new HttpRequestException(HttpRequestError.ResponseEnded, "reset", new IOException("reset")));
        var reset = await SendAsync();
        Assert.Equal(["t1"], _attempts);
        Assert.Equal(StatusCodes.Status502BadGateway, reset.Response.StatusCode);

        _attempts.Clear();
        _tasks["t1"] = Refuses;
        var refused = await SendAsync(retry: new RetryOptions { RefusedWait = TimeSpan.Zero });
        Assert.Equal(["t1"], _attempts);
        Assert.Equal(StatusCodes.Status502BadGateway, refused.Response.StatusCode);
    }

    [Fact]
    public async Task Tasks_on_a_suspect_node_are_tried_after_the_others()
    {
        _tasks["a1"] = Refuses;
        _tasks["a2"] = Answers;
        _tasks["b1"] = Refuses;
        _nodeOf["a1"] = _nodeOf["a2"] = "node-a";
        _nodeOf["b1"] = "node-b";
        _suspects.Suspect("node-b", null, "test");

        var context = await SendAsync();

        Assert.Equal(["a1", "a2"], _attempts);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
    }

    [Fact]
    public async Task A_node_found_silent_during_a_request_sends_its_retry_to_another_node()
    {
        // What TransportFailurePolicy does after a connect nobody answered: the task's node becomes suspect.
        _tasks["a1"] = context => { _suspects.Suspect("node-a", "web", "test"); return Fails(context, ForwarderError.RequestTimedOut, new TaskCanceledException("connect", new TimeoutException())); };
        _tasks["a2"] = Answers;
        _tasks["b1"] = Answers;
        _nodeOf["a1"] = _nodeOf["a2"] = "node-a";
        _nodeOf["b1"] = "node-b";

        await SendAsync();

        Assert.Equal(["a1", "b1"], _attempts);
    }

    [Fact]
    public async Task What_another_service_s_task_did_on_a_node_does_not_move_this_service_s_requests()
    {
        // A tenant's task that accepts no connection (its accept queue kept full) made node-a suspect for its own
        // cluster only: web's requests still go where its balancing sends them.
        _tasks["a1"] = Answers;
        _tasks["b1"] = Answers;
        _nodeOf["a1"] = "node-a";
        _nodeOf["b1"] = "node-b";
        _suspects.Suspect("node-a", "hostile", "test");

        await SendAsync();

        Assert.Equal(["a1"], _attempts);
    }

    [Fact]
    public async Task When_every_task_is_on_a_suspect_node_they_are_all_tried()
    {
        _tasks["a1"] = Refuses;
        _tasks["a2"] = Answers;
        _nodeOf["a1"] = _nodeOf["a2"] = "node-a";
        _suspects.Suspect("node-a", null, "test");

        var context = await SendAsync();

        Assert.Equal(["a1", "a2"], _attempts);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
    }

    [Fact]
    public async Task A_retry_starts_without_what_the_failed_attempt_left_in_the_requests_items()
    {
        // YARP's session affinity keeps the task the cookie named in Items: left there, the retry's response
        // would not give the client the cookie of the task that answered.
        var seen = new List<bool>();
        _tasks["t1"] = context => { seen.Add(context.Items.ContainsKey("affinity")); context.Items["affinity"] = "t1"; return Refuses(context); };
        _tasks["t2"] = context => { seen.Add(context.Items.ContainsKey("affinity")); return Answers(context); };

        await SendAsync();

        Assert.Equal([false, false], seen);
    }

    [Fact]
    public async Task Attempts_are_bounded_and_each_goes_to_a_task_not_tried_yet()
    {
        foreach (var id in new[] { "t1", "t2", "t3", "t4" })
        {
            _tasks[id] = Refuses;
        }

        var context = await SendAsync();

        Assert.Equal(["t1", "t2", "t3"], _attempts);
        Assert.Equal(StatusCodes.Status502BadGateway, context.Response.StatusCode);
    }

    [Fact]
    public async Task The_route_s_labels_set_the_attempts_and_the_methods()
    {
        _tasks["t1"] = Refuses;
        _tasks["t2"] = Refuses;
        _tasks["t3"] = Answers;
        var metadata = new Dictionary<string, string>
        {
            [RetryMiddleware.AttemptsMetadataKey] = "2",
            [RetryMiddleware.MethodsMetadataKey] = "GET, PUT",
        };

        var context = await SendAsync("PUT", body: "{}", metadata: metadata);

        Assert.Equal(["t1", "t2"], _attempts);
        Assert.Equal(StatusCodes.Status502BadGateway, context.Response.StatusCode);
    }

    [Fact]
    public async Task A_method_that_is_not_safe_to_send_twice_is_sent_once()
    {
        _tasks["t1"] = Refuses;
        _tasks["t2"] = Answers;

        var context = await SendAsync("POST", body: "order=1");

        Assert.Equal(["t1"], _attempts);
        Assert.Equal(StatusCodes.Status502BadGateway, context.Response.StatusCode);
    }

    [Fact]
    public async Task A_small_body_is_sent_again_whole_and_a_large_or_unsized_one_is_not_retried()
    {
        _tasks["t1"] = Refuses;
        _tasks["t2"] = Answers;
        var retry = new RetryOptions { Methods = ["PUT"], MaxBufferedBodyBytes = 16 };

        await SendAsync("PUT", body: "0123456789", retry: retry);
        Assert.Equal(["t1", "t2"], _attempts);
        Assert.Equal(["0123456789", "0123456789"], _bodies);

        _attempts.Clear();
        await SendAsync("PUT", body: "0123456789abcdefg", retry: retry);
        Assert.Equal(["t1"], _attempts);

        _attempts.Clear();
        await SendAsync("PUT", body: "0123456789", retry: retry, chunked: true);
        Assert.Equal(["t1"], _attempts);
    }

    [Theory]
    [InlineData(ForwarderError.ResponseBodyDestination)]
    [InlineData(ForwarderError.RequestCanceled)]
    [InlineData(ForwarderError.RequestTimedOut)]
    public async Task A_failure_that_may_have_reached_the_task_or_is_the_client_s_is_not_retried(ForwarderError error)
    {
        _tasks["t1"] = c => Fails(c, error, new TaskCanceledException());
        _tasks["t2"] = Answers;

        await SendAsync();

        Assert.Equal(["t1"], _attempts);
    }

    [Fact]
    public async Task A_connect_timeout_is_retried()
    {
        _tasks["t1"] = c => Fails(c, ForwarderError.RequestTimedOut, new TaskCanceledException("connect", new TimeoutException()));
        _tasks["t2"] = Answers;

        await SendAsync();

        Assert.Equal(["t1", "t2"], _attempts);
    }

    [Fact]
    public async Task An_attempt_aborted_because_its_task_left_is_retried_and_the_next_one_starts_clean()
    {
        _tasks["t1"] = AbortedBecauseItsTaskLeft;
        _tasks["t2"] = Refuses;
        _tasks["t3"] = Answers;

        var context = await SendAsync();

        Assert.Equal(["t1", "t2", "t3"], _attempts);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.False(context.Features.Get<RetryState>()!.AttemptAborted);
    }

    [Fact]
    public async Task Out_of_attempts_after_an_abort_the_client_gets_a_502()
    {
        _tasks["t1"] = AbortedBecauseItsTaskLeft;

        var context = await SendAsync();

        Assert.Equal(["t1"], _attempts);
        Assert.Equal(StatusCodes.Status502BadGateway, context.Response.StatusCode);
    }

    [Fact]
    public async Task Nothing_is_retried_once_the_response_has_started()
    {
        var response = new StartingResponseFeature();
        _tasks["t1"] = async c =>
        {
            await response.StartAsync();
            await Refuses(c);
        };
        _tasks["t2"] = Answers;

        await SendAsync(response: response);

        Assert.Equal(["t1"], _attempts);
    }

    [Fact]
    public async Task Nothing_is_retried_for_a_client_that_went_away()
    {
        using var client = new CancellationTokenSource();
        _tasks["t1"] = c =>
        {
            client.Cancel();
            return Refuses(c);
        };
        _tasks["t2"] = Answers;

        await SendAsync(clientAborted: client.Token);

        Assert.Equal(["t1"], _attempts);
    }

    [Fact]
    public async Task Nothing_is_retried_past_the_budget_counted_from_the_request_s_arrival()
    {
        _tasks["t1"] = c =>
        {
            _time.Advance(TimeSpan.FromSeconds(31));
            return Refuses(c);
        };
        _tasks["t2"] = Answers;

        var context = await SendAsync(retry: new RetryOptions { Budget = TimeSpan.FromSeconds(30) });

        Assert.Equal(["t1"], _attempts);
        Assert.Equal(StatusCodes.Status502BadGateway, context.Response.StatusCode);
    }

    [Fact]
    public async Task Tasks_taken_out_of_rotation_since_the_request_arrived_are_tried_last()
    {
        _tasks["t1"] = c =>
        {
            // The first failure takes t2 out too (a lost node): passive health marks it while t1's request fails.
            c.GetReverseProxyFeature().AllDestinations.Single(d => d.DestinationId == "t2").Health.Passive = DestinationHealth.Unhealthy;
            return Refuses(c);
        };
        _tasks["t2"] = Refuses;
        _tasks["t3"] = Answers;

        await SendAsync();

        Assert.Equal(["t1", "t3"], _attempts);
    }

    [Fact]
    public async Task A_single_attempt_policy_forwards_once_without_tracking()
    {
        _tasks["t1"] = Refuses;
        _tasks["t2"] = Answers;

        var context = await SendAsync(retry: new RetryOptions { Attempts = 1 });

        Assert.Equal(["t1"], _attempts);
        Assert.Null(context.Features.Get<RetryState>());
    }

    /// <summary>What Kestrel says of a request: whether it can have a body (a GET without Content-Length cannot).</summary>
    private sealed class BodyDetection(bool canHaveBody) : IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody { get; } = canHaveBody;
    }

    private sealed class ErrorFeature(ForwarderError error, Exception? exception) : IForwarderErrorFeature
    {
        public ForwarderError Error { get; } = error;

        public Exception? Exception { get; } = exception;
    }
}
