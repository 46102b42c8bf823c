using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace SwarmEdge.Tests.Proxy.Middlewares;

/// <summary>
/// A real auth service for forward-auth, as Authelia answers: 200 with Remote-User for "X-Token: &lt;user&gt;",
/// else a redirect to its login page. It listens on one of the machine's own non-loopback addresses (the
/// edge refuses loopback) and on loopback too, to show that refusal.
/// </summary>
public sealed class AuthService : IAsyncLifetime
{
    private readonly IPAddress _address = NetworkInterface.GetAllNetworkInterfaces()
        .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
        .SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(a => a.Address)
        .First(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a) && !a.ToString().StartsWith("169.254.", StringComparison.Ordinal));

    private WebApplication? _app;
    private int _port;
    private int _loopbackPort;

    public AuthRequest? LastRequest { get; private set; }

    public string Address(string path) => $"http://{HostName(_address)}:{_port}{path}";

    public string LoopbackAddress(string path) => $"http://localhost:{_loopbackPort}{path}";

    /// <summary>An address on the same host where nothing listens.</summary>
    public string ClosedAddress()
    {
        using var listener = new TcpListener(_address, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://{HostName(_address)}:{port}/verify";
    }

    // Labels name auth services by host name (the parser's rule); the client itself takes an address literal too.
    private static string HostName(IPAddress address) => address.ToString();

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        _app = builder.Build();
        _app.Urls.Add($"http://{_address}:0");
        _app.Urls.Add("http://127.0.0.1:0");
        _app.Run(context =>
        {
            LastRequest = new AuthRequest(context.Request.Method, context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
            if (context.Request.Headers["X-Token"] is [{ Length: > 0 } user])
            {
                context.Response.Headers["Remote-User"] = user;
                return Task.CompletedTask;
            }

            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers.Location = $"https://login.test/?rd={context.Request.Headers["X-Forwarded-Uri"]}";
            return context.Response.WriteAsync("log in first");
        });
        await _app.StartAsync();
        var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        _port = addresses.First(a => a.Host == _address.ToString()).Port;
        _loopbackPort = addresses.First(a => a.Host == "127.0.0.1").Port;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

public sealed record AuthRequest(string Method, string Path, Dictionary<string, string> Headers);
