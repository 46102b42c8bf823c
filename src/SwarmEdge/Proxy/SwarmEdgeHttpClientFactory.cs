using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace SwarmEdge.Proxy;

/// <summary>
/// The connections to tasks. YARP's defaults plus a short connect timeout: a lost node's task IPs do not
/// refuse connections, they swallow them, and without a timeout a request would wait minutes for a SYN. Tasks
/// that speak TLS have their certificates checked by TaskCertificates (used only on https destinations).
/// </summary>
internal sealed class SwarmEdgeHttpClientFactory(IOptions<SwarmEdgeOptions> options) : ForwarderHttpClientFactory
{
    private readonly TimeSpan _connectTimeout = options.Value.Proxy.ConnectTimeout;
    private readonly System.Net.Security.RemoteCertificateValidationCallback _taskCertificates = TaskCertificates.Validator(options.Value.Proxy.TaskCaFile);

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.ConnectTimeout = _connectTimeout;
        handler.SslOptions.RemoteCertificateValidationCallback = _taskCertificates;
    }
}
