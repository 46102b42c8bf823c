using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace SwarmEdge.Proxy;

/// <summary>
/// SwarmEdge:Proxy:ForwardedHeader: every route also sends its tasks RFC 7239's Forwarded header (for, proto, host)
/// as the edge knows them, beside the X-Forwarded-* headers. By default YARP sets X-Forwarded-For, -Proto, -Host and
/// -Prefix, replacing what the client sent, and removes a client's Forwarded header.
/// </summary>
internal sealed class ForwardedHeaderTransforms(IOptions<SwarmEdgeOptions> options) : ITransformProvider
{
    private readonly bool _send = options.Value.Proxy.ForwardedHeader;

    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        if (!_send)
        {
            return;
        }

        // Naming forwarders turns YARP's default ones off, and each would remove the other's headers by default.
        context.AddXForwarded(ForwardedTransformActions.Set, removeForwardedHeader: false);
        context.AddForwarded(useHost: true, useProto: true, forFormat: NodeFormat.Ip, byFormat: NodeFormat.None,
            action: ForwardedTransformActions.Set, removeAllXForwardedHeaders: false);
    }
}
