using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SwarmEdge.Proxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace SwarmEdge.Tests.Proxy;

/// <summary>
/// YARP's own forwarder, wrapped, in front of a hand-written HTTP handler standing in for a task: what YARP
/// makes of an attempt we abort is YARP's behaviour, so it is YARP that runs here.
/// </summary>
public class PendingResponseForwarderTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly PendingResponses _pending;
    private readonly PendingResponseForwarder _forwarder;

    public PendingResponseForwarderTests()
    {
        _pending = new PendingResponses(_time);
        var yarp = new ServiceCollection().AddLogging().AddHttpForwarder().BuildServiceProvider().GetRequiredService<IHttpForwarder>();
        _forwarder = new PendingResponseForwarder(yarp, _pending);
    }

    private static (DefaultHttpContext Context, StartingResponseFeature Response) Request(
        bool retryable, CancellationToken clientAborted = default, IReadOnlyDictionary<string, string>? routeMetadata = null)
    {
        var context = new DefaultHttpContext();
        var response = new StartingResponseFeature();
        context.Features.Set<IHttpResponseFeature>(response);
        context.RequestAborted = clientAborted;
        context.Request.Method = "GET";
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("shop.example.com");
        context.Request.Path = "/cart";
        if (retryable)
        {
            context.Features.Set(new RetryState());
        }

        var cluster = new ClusterState("shop", new ClusterModel(new ClusterConfig { ClusterId = "shop" }, new HttpMessageInvoker(new HttpClientHandler())));
        context.Features.Set<IReverseProxyFeature>(new ReverseProxyFeature
        {
            Route = new RouteModel(new RouteConfig { RouteId = "shop/default", ClusterId = "shop", Metadata = routeMetadata }, cluster, HttpTransformer.Default),
            Cluster = cluster.Model,
            ProxiedDestination = new DestinationState("t1", new DestinationModel(new DestinationConfig { Address = "http://10.0.1.5:8080/" })),
        });
        return (context, response);
    }

    private Task<ForwarderError> ForwardAsync(HttpContext context, HttpMessageHandler task) =>
        _forwarder.SendAsync(context, "http://10.0.1.5:8080/", new HttpMessageInvoker(task), ForwarderRequestConfig.Empty, HttpTransformer.Default).AsTask();

    private async Task WaitForPendingAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (_pending.Views(_time.GetTimestamp()).All(v => v.OldestPending is null))
        {
            await Task.Delay(5, deadline.Token);
        }
    }

    [Fact]
    public async Task An_aborted_attempt_is_a_502_and_the_client_is_left_alone()
    {
        var (context, _) = Request(retryable: true);
        var forward = ForwardAsync(context, new Backend(answers: false));
        await WaitForPendingAsync();

        Assert.Equal(1, _pending.Abort("shop", "t1"));

        Assert.Equal(ForwarderError.RequestCanceled, await forward);
        Assert.Equal(StatusCodes.Status502BadGateway, context.Response.StatusCode);
        Assert.True(context.Features.Get<RetryState>()!.AttemptAborted);
        Assert.False(context.RequestAborted.IsCancellationRequested);
        Assert.Null(_pending.Views(_time.GetTimestamp()).Single().OldestPending);
    }

    [Fact]
    public async Task A_client_that_goes_away_is_still_the_client_s_doing()
    {
        using var client = new CancellationTokenSource();
        var (context, _) = Request(retryable: true, client.Token);
        var forward = ForwardAsync(context, new Backend(answers: false));
        await WaitForPendingAsync();

        await client.CancelAsync();

        Assert.Equal(ForwarderError.RequestCanceled, await forward);
        Assert.Equal(StatusCodes.Status400BadRequest, context.Response.StatusCode);
        Assert.False(context.Features.Get<RetryState>()!.AttemptAborted);
    }

    [Fact]
    public async Task A_request_that_is_not_retryable_is_not_tracked()
    {
        var (context, _) = Request(retryable: false);

        Assert.Equal(ForwarderError.None, await ForwardAsync(context, new Backend(answers: true)));

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Empty(_pending.Views(_time.GetTimestamp()));
    }

    [Fact]
    public async Task A_forward_the_task_answered_counts_as_the_task_answering_even_before_the_response_starts()
    {
        var (quiet, _) = Request(retryable: true);
        await ForwardAsync(quiet, new Backend(answers: true));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(5), _pending.Views(_time.GetTimestamp()).Single().SinceLastResponse);

        // An empty body starts the client's response only after the forward: the forward's success is the answer.
        var (answered, response) = Request(retryable: true);
        Assert.Equal(ForwarderError.None, await ForwardAsync(answered, new Backend(answers: true)));
        Assert.Equal(TimeSpan.Zero, _pending.Views(_time.GetTimestamp()).Single().SinceLastResponse);

        // The response starting later does not move it again.
        _time.Advance(TimeSpan.FromSeconds(1));
        await response.StartAsync();
        Assert.Equal(TimeSpan.FromSeconds(1), _pending.Views(_time.GetTimestamp()).Single().SinceLastResponse);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_route_s_timeout_answers_504_when_the_task_sends_nothing_for_that_long(bool retryable)
    {
        var (context, _) = Request(retryable, routeMetadata: new Dictionary<string, string> { [PendingResponseForwarder.ResponseTimeoutKey] = "200" });
        var started = System.Diagnostics.Stopwatch.GetTimestamp();

        Assert.Equal(ForwarderError.RequestTimedOut, await ForwardAsync(context, new Backend(answers: false)));

        Assert.Equal(StatusCodes.Status504GatewayTimeout, context.Response.StatusCode);
        Assert.InRange(System.Diagnostics.Stopwatch.GetElapsedTime(started), TimeSpan.FromMilliseconds(180), TimeSpan.FromSeconds(10));
        Assert.False(context.Features.Get<RetryState>()?.AttemptAborted ?? false);
    }

    /// <summary>A task that answers at once, or one on a lost node: it never answers and only a cancellation ends the wait.</summary>
    private sealed class Backend(bool answers) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (!answers)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("ok") };
        }
    }
}
