// YARP with nothing of SwarmEdge: one route by Host, one cluster whose destinations are the task IPs of
// tasks.<service> resolved once at start (as nginx's static upstream), YARP's defaults otherwise. Kestrel,
// logging and GC are set as SwarmEdge sets them, so the difference between the two is SwarmEdge's own work
// (discovery, retries, draining, stall detection, metrics).
// Usage: YarpReference --port PORT --service NAME [--host HOST]
using System.Net;
using Yarp.ReverseProxy.Configuration;

var settings = new ConfigurationBuilder().AddCommandLine(args).Build();
var port = int.Parse(settings["port"] ?? throw new ArgumentException("--port is required"));
var service = settings["service"] ?? throw new ArgumentException("--service is required");
var host = settings["host"] ?? "bench.local";

var addresses = await Dns.GetHostAddressesAsync($"tasks.{service}");
if (addresses.Length == 0)
{
    Console.Error.WriteLine($"tasks.{service} resolves to nothing");
    return 1;
}

var destinations = addresses.ToDictionary(a => a.ToString(), a => new DestinationConfig { Address = $"http://{a}:80" });
var route = new RouteConfig { RouteId = "bench", ClusterId = "bench", Match = new RouteMatch { Hosts = [host] } };
var cluster = new ClusterConfig { ClusterId = "bench", LoadBalancingPolicy = "PowerOfTwoChoices", Destinations = destinations };

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
// As in SwarmEdge's appsettings.json: with this category on at any level, ASP.NET Core logs and times every request.
builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
builder.WebHost.ConfigureKestrel(k =>
{
    k.AddServerHeader = false;
    k.Listen(IPAddress.Any, port);
});
builder.Services.AddReverseProxy().LoadFromMemory([route], [cluster]);

var app = builder.Build();
app.MapReverseProxy();
Console.WriteLine($"YARP reference on :{port}, {route.Match.Hosts[0]} -> {string.Join(", ", destinations.Keys)}");
await app.RunAsync();
return 0;
