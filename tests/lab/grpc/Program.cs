using Grpc.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using SwarmEdge.Lab.Grpc;

// h2c on 50051, as gRPC servers in a swarm listen; SIGTERM stops it gracefully (calls in flight finish).
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(k => k.ListenAnyIP(50051, o => o.Protocols = HttpProtocols.Http2));
builder.Services.AddGrpc();
var app = builder.Build();
app.MapGrpcService<EchoService>();
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
