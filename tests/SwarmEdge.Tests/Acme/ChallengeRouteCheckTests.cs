using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using SwarmEdge.Acme;

namespace SwarmEdge.Tests.Acme;

/// <summary>
/// The check on real sockets: the issuer's own listener on a free port, and stand-in edges that route nothing
/// (404), route somewhere else (200 with another answer) or do not listen at all.
/// </summary>
public class ChallengeRouteCheckTests
{
    private static ChallengeRouteCheck Check(int challengePort, params string[] edges) =>
        new(Options.Create(new SwarmEdgeOptions { Acme = { ChallengePort = challengePort, Edges = edges } }));

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    /// <summary>An edge that answers every request with this status and body.</summary>
    private static (HttpListener Listener, Task Answering) Edge(int port, HttpStatusCode status, string body)
    {
        var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var answering = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                try
                {
                    var context = await listener.GetContextAsync();
                    context.Response.StatusCode = (int)status;
                    await context.Response.OutputStream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(body));
                    context.Response.Close();
                }
                catch (HttpListenerException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
            }
        });
        return (listener, answering);
    }

    [Fact]
    public async Task Without_edges_configured_nothing_is_checked()
    {
        Assert.Empty(await Check(FreePort()).UnroutedAsync("shop.example.com", CancellationToken.None));
    }

    [Fact]
    public async Task An_edge_that_brings_the_issuers_answer_back_routes_the_host()
    {
        // The issuer's own port as the edge: what an edge forwarding the challenge path returns.
        var port = FreePort();

        Assert.Empty(await Check(port, $"127.0.0.1:{port}").UnroutedAsync("shop.example.com", CancellationToken.None));
    }

    [Fact]
    public async Task Edges_that_answer_404_another_answer_or_nothing_are_named_and_the_routing_one_is_not()
    {
        var port = FreePort();
        var (notYet, notYetAnswering) = Edge(FreePort(), HttpStatusCode.NotFound, "no route");
        var (elsewhere, elsewhereAnswering) = Edge(FreePort(), HttpStatusCode.OK, "an answer from another issuer");
        var silent = FreePort();
        try
        {
            var notYetAddress = notYet.Prefixes.Single()[7..^1];
            var elsewhereAddress = elsewhere.Prefixes.Single()[7..^1];

            var unrouted = await Check(port, $"127.0.0.1:{port}", notYetAddress, elsewhereAddress, $"127.0.0.1:{silent}", "no-such-edge.invalid:8080")
                .UnroutedAsync("shop.example.com", CancellationToken.None);

            Assert.Equal([notYetAddress, elsewhereAddress, $"127.0.0.1:{silent}", "no-such-edge.invalid:8080"], unrouted);
        }
        finally
        {
            notYet.Stop();
            elsewhere.Stop();
            await Task.WhenAll(notYetAnswering, elsewhereAnswering);
        }
    }

    [Fact]
    public async Task The_challenge_port_is_free_again_for_lego_after_the_check()
    {
        var port = FreePort();
        await Check(port, $"127.0.0.1:{port}").UnroutedAsync("shop.example.com", CancellationToken.None);

        using var lego = new TcpListener(IPAddress.Any, port);
        lego.Start();
    }

    [Theory]
    [InlineData("tasks.edge:8080", "tasks.edge", 8080)]
    [InlineData("10.0.0.7:80", "10.0.0.7", 80)]
    [InlineData("[fd00::7]:8080", "fd00::7", 8080)]
    [InlineData("tasks.edge", "", 0)]
    [InlineData("tasks.edge:0", "", 0)]
    [InlineData("tasks.edge:99999", "", 0)]
    [InlineData(":8080", "", 0)]
    public void An_edge_is_name_and_port(string edge, string name, int port)
    {
        Assert.Equal((name, port), ChallengeRouteCheck.Split(edge));
    }
}
