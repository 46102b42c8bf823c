using Grpc.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using SwarmEdge.Lab.Grpc;

// h2c on 50051, as gRPC servers in a swarm listen; a WebSocket echo on 8080 (HTTP/1.1, /ws: each message comes
// back, the first one being the task's host name). SIGTERM stops it gracefully (calls in flight finish).
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(k =>
{
    k.ListenAnyIP(50051, o => o.Protocols = HttpProtocols.Http2);
    k.ListenAnyIP(8080, o => o.Protocols = HttpProtocols.Http1);
});
builder.Services.AddGrpc();
var app = builder.Build();
app.UseWebSockets();
app.MapGrpcService<EchoService>();
app.Map("/ws", async (HttpContext context) =>
{
    if (!context.WebSockets.IsWebSocketRequest)
    {
        return Results.BadRequest();
    }

    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    var buffer = new byte[4096];
    await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(System.Net.Dns.GetHostName()), System.Net.WebSockets.WebSocketMessageType.Text, true, default);
    while (true)
    {
        var received = await socket.ReceiveAsync(buffer, default);
        if (received.MessageType == System.Net.WebSockets.WebSocketMessageType.Close)
        {
            await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, default);
            return Results.Empty;
        }

        await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, default);
    }
});
app.Run();

internal sealed class EchoService : Echo.EchoBase
{
    // The whole host name: Environment.MachineName stops at the first dot, and task host names are "service.slot.task".
    private static readonly string Task = System.Net.Dns.GetHostName();

    public override Task<EchoReply> Unary(EchoRequest request, ServerCallContext context) =>
        System.Threading.Tasks.Task.FromResult(new EchoReply { Text = request.Text, Task = Task });

    public override async Task Countdown(CountdownRequest request, IServerStreamWriter<EchoReply> responses, ServerCallContext context)
    {
        for (var i = request.Count; i > 0; i--)
        {
            await responses.WriteAsync(new EchoReply { Text = i.ToString(), Task = Task });
            await System.Threading.Tasks.Task.Delay(request.IntervalMs, context.CancellationToken);
        }
    }
}
