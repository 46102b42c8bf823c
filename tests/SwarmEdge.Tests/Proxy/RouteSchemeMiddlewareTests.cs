using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using SwarmEdge.Proxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace SwarmEdge.Tests.Proxy;

/// <summary>The middleware with DefaultHttpContext and a hand-built route, as YARP tests its own middlewares.</summary>
public class RouteSchemeMiddlewareTests
{
    private static readonly HttpsOptions Https = new() { CertificateDirectory = "/certs" };

    private static async Task<(HttpContext Context, bool Forwarded)> RunAsync(
        bool https, string method, Dictionary<string, string>? metadata, HttpsOptions? options = null)
    {
        var forwarded = false;
        var middleware = new RouteSchemeMiddleware(_ => { forwarded = true; return Task.CompletedTask; },
            Options.Create(new SwarmEdgeOptions { Https = options ?? Https }));
        var context = new DefaultHttpContext();
        var response = new StartingResponseFeature();
        context.Features.Set<IHttpResponseFeature>(response);
        context.Request.Scheme = https ? "https" : "http";
        context.Request.Method = method;
        context.Request.Host = new HostString("shop.example.com");
        context.Request.Path = "/cart";
        context.Request.QueryString = new QueryString("?id=7");
        var route = new RouteConfig { RouteId = "shop/default", Match = new RouteMatch { Path = "/{**all}" }, Metadata = metadata };
        var cluster = new ClusterState("shop");
        context.Features.Set<IReverseProxyFeature>(new ReverseProxyFeature
        {
            Route = new RouteModel(route, cluster, HttpTransformer.Default),
            Cluster = cluster.Model,
        });
        await middleware.InvokeAsync(context);
        await response.StartAsync();
        return (context, forwarded);
    }

    private static Dictionary<string, string> Labels(string scheme, bool? redirect = null, long? hsts = null)
    {
        var metadata = new Dictionary<string, string> { [RouteSchemeMiddleware.SchemeKey] = scheme };
        if (redirect is { } r)
        {
            metadata[RouteSchemeMiddleware.RedirectKey] = r ? "true" : "false";
        }

        if (hsts is { } h)
        {
            metadata[RouteSchemeMiddleware.HstsKey] = h.ToString();
        }

        return metadata;
    }

    [Theory]
    [InlineData("GET", 301)]
    [InlineData("HEAD", 301)]
    [InlineData("POST", 308)]
    [InlineData("PUT", 308)]
    public async Task Plain_http_to_a_route_that_redirects_goes_to_https_keeping_path_and_query(string method, int status)
    {
        var (context, forwarded) = await RunAsync(false, method, Labels("Https", redirect: true));

        Assert.False(forwarded);
        Assert.Equal(status, context.Response.StatusCode);
        Assert.Equal("https://shop.example.com/cart?id=7", context.Response.Headers.Location.ToString());
    }

    [Fact]
    public async Task The_redirect_names_the_public_https_port_unless_it_is_443()
    {
        var (context, _) = await RunAsync(false, "GET", Labels("Both", redirect: true), new HttpsOptions { CertificateDirectory = "/c", RedirectPort = 8443 });

        Assert.Equal("https://shop.example.com:8443/cart?id=7", context.Response.Headers.Location.ToString());
    }

    [Fact]
    public async Task Routes_answer_404_on_the_scheme_they_do_not_serve()
    {
        Assert.Equal(404, (await RunAsync(false, "GET", Labels("Https", redirect: false))).Context.Response.StatusCode);
        Assert.Equal(404, (await RunAsync(true, "GET", Labels("Http"))).Context.Response.StatusCode);
        Assert.True((await RunAsync(false, "GET", Labels("Http"))).Forwarded);
    }

    [Fact]
    public async Task Https_responses_carry_hsts_from_the_label_or_the_default()
    {
        var (labelled, forwarded) = await RunAsync(true, "GET", Labels("Both", hsts: 300));
        Assert.True(forwarded);
        Assert.Equal("max-age=300", labelled.Response.Headers.StrictTransportSecurity.ToString());

        var (defaulted, _) = await RunAsync(true, "GET", null, new HttpsOptions { CertificateDirectory = "/c", HstsMaxAge = TimeSpan.FromDays(1) });
        Assert.Equal("max-age=86400", defaulted.Response.Headers.StrictTransportSecurity.ToString());

        var (plain, _) = await RunAsync(false, "GET", Labels("Both", hsts: 300));
        Assert.Equal("", plain.Response.Headers.StrictTransportSecurity.ToString());
    }

    [Fact]
    public async Task Without_an_https_entrypoint_every_route_serves_http_and_nothing_redirects()
    {
        var (context, forwarded) = await RunAsync(false, "GET", Labels("Https", redirect: true), new HttpsOptions());

        Assert.True(forwarded);
        Assert.Equal(200, context.Response.StatusCode);
    }
}
