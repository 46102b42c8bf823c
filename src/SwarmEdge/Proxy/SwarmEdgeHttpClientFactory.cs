using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace SwarmEdge.Proxy;

/// <summary>
/// The connections to tasks. YARP's defaults plus a short connect timeout: a lost node's task IPs do not
/// refuse connections, they swallow them, and without a timeout a request would wait minutes for a SYN.
/// </summary>
internal sealed class SwarmEdgeHttpClientFactory(IOptions<SwarmEdgeOptions> options) : ForwarderHttpClientFactory
{
    private readonly TimeSpan _connectTimeout = options.Value.Proxy.ConnectTimeout;

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.ConnectTimeout = _connectTimeout;
    }
}
