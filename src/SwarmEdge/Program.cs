using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using SwarmEdge;
using SwarmEdge.Admin;
using SwarmEdge.Discovery;
using SwarmEdge.Proxy;
using SwarmEdge.Proxy.Limits;
using SwarmEdge.Proxy.ProxyProtocol;
using SwarmEdge.Proxy.Tcp;
using SwarmEdge.Shutdown;
using SwarmEdge.Tls;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

if (args is ["issuer", .. var issuerArgs])
{
    // Its arguments are configuration, like the proxy's.
    return await SwarmEdge.Acme.IssuerHost.RunAsync(issuerArgs);
}

if (SwarmEdge.Commands.CommandLine.IsCommand(args))
{
    return await SwarmEdge.Commands.CommandLine.RunAsync(args);
}

// prometheus-net republishes every .NET meter by default (ASP.NET, HttpClient, Kestrel) and turns on the
// networking event sources, whose telemetry then runs on every proxied request. The swarmedge_* metrics cover
// requests: only process metrics and the runtime's counters (GC, thread pool) stay.
Prometheus.Metrics.SuppressDefaultMetrics(new Prometheus.SuppressDefaultMetricOptions { SuppressMeters = true, SuppressDebugMetrics = true });
Prometheus.Metrics.ConfigureEventCounterAdapter(o => o.EventSourceFilterPredicate = source => source == "System.Runtime");

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.Configuration.Sources.Clear();
builder.Configuration.AddSwarmEdgeSources(args);

builder.Services.AddOptions<SwarmEdgeOptions>()
    .Bind(builder.Configuration.GetSection(SwarmEdgeOptions.Section))
    .PostConfigure(o => o.ApplyDefaults())
    .ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<SwarmEdgeOptions>, SwarmEdgeOptionsValidator>();

var listen = SwarmEdgeConfiguration.Read(builder.Configuration);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    ListenerLimits.Apply(kestrel.Limits, listen.Limits);
    var perClient = listen.Limits.MaxConnectionsPerClient > 0
        ? new ClientConnectionLimiter(listen.Limits.MaxConnectionsPerClient, kestrel.ApplicationServices.GetRequiredService<ILogger<ClientConnectionLimiter>>())
        : null;
    var proxyProtocol = listen.Proxy.ProxyProtocol
        ? new ProxyProtocolReader([.. listen.Proxy.TrustedNetworks()], listen.Limits.RequestHeadersTimeout, kestrel.ApplicationServices.GetRequiredService<ILogger<ProxyProtocolReader>>())
        : null;

    // Every listener: the client a trusted balancer names first, so that the limits count that client.
    void Accept(ListenOptions o)
    {
        if (proxyProtocol is not null)
        {
            o.Use(proxyProtocol.Wrap);
        }

        if (perClient is not null)
        {
            o.Use(perClient.Wrap);
        }
    }

    if (IPAddress.TryParse(listen.Proxy.Address, out var address))
    {
        kestrel.Listen(address, listen.Proxy.Port, Accept);
        if (listen.Https.Enabled)
        {
            var handshake = kestrel.ApplicationServices.GetRequiredService<TlsHandshake>();
            kestrel.Listen(address, listen.Https.Port, o =>
            {
                Accept(o);
                o.Protocols = HttpProtocols.Http1AndHttp2;
                o.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = handshake.OnConnection });
            });
        }

        foreach (var entrypoint in listen.Tcp.Entrypoints.Where(p => p is > 0 and <= 65535).Distinct())
        {
            // Raw TCP, not HTTP: each connection goes to TcpProxyHandler.
            kestrel.Listen(address, entrypoint, o =>
            {
                Accept(o);
                o.UseConnectionHandler<TcpProxyHandler>();
            });
        }
    }
});

builder.Services.AddSingleton(TimeProvider.System);
// Registered first: its StoppingAsync (the grace) runs before any service stops, Kestrel included.
builder.Services.AddSingleton<ShutdownGrace>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<ShutdownGrace>());
builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = listen.Shutdown.Grace + listen.Shutdown.Drain);
builder.Services.AddSingleton<DockerApi>();
builder.Services.AddSingleton<SwarmReader>();
builder.Services.AddSingleton<DiscoverySignals>();
builder.Services.AddSingleton<EdgeStatus>();
builder.Services.AddSingleton<CertificateStore>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<CertificateStore>());
builder.Services.AddSingleton<TlsHandshake>();
builder.Services.AddSingleton<SwarmEdge.Acme.DockerConfigs>();
builder.Services.AddSingleton<SwarmEdge.Acme.StoredCertificateWatcher>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<SwarmEdge.Acme.StoredCertificateWatcher>());
builder.Services.AddSingleton<ServicesToResolve>();
builder.Services.AddHostedService<TaskDnsWatcher>();
builder.Services.AddHostedService<RoutesFileWatcher>();
builder.Services.AddHostedService<SwarmEventWatcher>();
builder.Services.AddHostedService<DiscoveryLoop>();
builder.Services.AddSingleton<SwarmEventLog>();
builder.Services.AddSingleton<TaskHistory>();
builder.Services.AddSingleton<SwarmEdge.Admin.Dashboard.TrafficHistory>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<SwarmEdge.Admin.Dashboard.TrafficHistory>());
builder.Services.AddSingleton<NodeReachability>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<NodeReachability>());
builder.Services.AddHostedService<AdminServer>();
builder.Services.AddSwarmEdgeProxy();
builder.Services.AddSwarmEdgeTracing(listen.Tracing, listen.Admin);
builder.Services.AddSingleton<SwarmEdge.Proxy.AccessLogs.AccessLogWriter>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<SwarmEdge.Proxy.AccessLogs.AccessLogWriter>());

// A setting out of range is found while the pipeline is built (middlewares read their options) or at start.
return await RefusedStart.RunAsync(async () =>
{
    var app = builder.Build();
    if (listen.Proxy.TrustedProxies.Length > 0)
    {
        // Before anything reads the client's address (limits, ip-allow, the X-Forwarded-For sent to tasks).
        var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto, ForwardLimit = null };
        forwarded.KnownIPNetworks.Clear();
        forwarded.KnownProxies.Clear();
        foreach (var network in listen.Proxy.TrustedNetworks())
        {
            forwarded.KnownIPNetworks.Add(network);
        }

        app.UseForwardedHeaders(forwarded);
    }

    if (listen.AccessLog.Enabled)
    {
        app.UseMiddleware<SwarmEdge.Proxy.AccessLogs.AccessLogMiddleware>();
    }

    app.UseMiddleware<DrainingMiddleware>();
    app.UseMiddleware<RequestMetricsMiddleware>();
    app.UseRateLimiter();
    app.MapSwarmEdgeProxy();

    await app.RunAsync();
});
