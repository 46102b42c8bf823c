using SwarmEdge.Commands.Convert;

namespace SwarmEdge.Tests.Commands;

public class StackFileConverterTests
{
    private static string Convert(string yaml) => StackFileConverter.Convert(yaml).Output;

    [Fact]
    public void A_service_without_deploy_gets_one_with_the_mode_and_the_labels()
    {
        var output = Convert("""
            services:
              web:
                image: web:1
                ports:
                  - "8080"
            """);

        Assert.Equal("""
            services:
              web:
                image: web:1
                deploy:
                  endpoint_mode: dnsrr
                  labels:
                    # swarmedge convert: was published through the routing mesh as 8080/tcp
                    # swarmedge convert: replace the *.example.com hosts with the names clients use (or add a path rule)
                    swarmedge.enable: "true"
                    swarmedge.http.port: "8080"
                    swarmedge.http.host: "web.example.com"
            """, output);
    }

    [Fact]
    public void Host_mode_ports_stay_and_an_existing_endpoint_mode_is_replaced_in_place()
    {
        var output = Convert("""
            services:
              web:
                ports:
                  - target: 9100
                    mode: host
                  - target: 80
                    published: 8080
                    mode: ingress
                deploy:
                  endpoint_mode: vip
                  replicas: 2
            """);

        Assert.Equal("""
            services:
              web:
                ports:
                  - target: 9100
                    mode: host
                deploy:
                  endpoint_mode: dnsrr
                  replicas: 2
                  labels:
                    # swarmedge convert: was published through the routing mesh as 8080:80/tcp
                    # swarmedge convert: replace the *.example.com hosts with the names clients use (or add a path rule)
                    swarmedge.enable: "true"
                    swarmedge.http.port: "80"
                    swarmedge.http.host: "web.example.com"
            """, output);
    }

    [Fact]
    public void Existing_swarmedge_labels_win_and_are_not_added_twice()
    {
        var result = StackFileConverter.Convert("""
            services:
              web:
                ports: ["8080:80"]
                deploy:
                  labels:
                    swarmedge.enable: "true"
                    swarmedge.http.port: "9090"
                    swarmedge.http.host: shop.example.com
            """);

        Assert.Equal("""
            services:
              web:
                deploy:
                  endpoint_mode: dnsrr
                  # swarmedge convert: was published through the routing mesh as 8080:80/tcp
                  labels:
                    swarmedge.enable: "true"
                    swarmedge.http.port: "9090"
                    swarmedge.http.host: shop.example.com
            """, result.Output);
        Assert.EndsWith("8080:80/tcp -> routed by the labels already there", Assert.Single(result.Services).Detail);
    }

    [Fact]
    public void Every_port_gets_a_route_http_looking_ones_http_the_others_tcp_from_an_entrypoint_of_the_published_number()
    {
        var result = StackFileConverter.Convert("""
            services:
              app:
                ports:
                  - "7001:7001"
                  - "8443:443"
                  - "8080:8080"
                  - "18081:8081"
            """);

        Assert.Contains("""
                    swarmedge.enable: "true"
                    swarmedge.tcp.port: "7001"
                    swarmedge.tcp.entrypoint: "7001"
                    swarmedge.tcp.routers.port-443.port: "443"
                    swarmedge.tcp.routers.port-443.entrypoint: "8443"
                    swarmedge.http.port: "8080"
                    swarmedge.http.host: "app.example.com"
                    swarmedge.http.routers.port-8081.port: "8081"
                    swarmedge.http.routers.port-8081.host: "app-8081.example.com"
            """, result.Output);
        Assert.DoesNotContain("ports:", result.Output);
        Assert.Equal(["7001", "8443"], result.TcpEntrypoints.ToArray());
        Assert.Contains("# swarmedge convert: TCP entrypoints 7001, 8443: add to SwarmEdge:Tcp:Entrypoints and publish on the edge", result.Output);
        Assert.Contains("app: TCP entrypoints 7001, 8443 must be in SwarmEdge:Tcp:Entrypoints and published by the edge", result.Warnings);
    }

    [Fact]
    public void A_database_becomes_a_tcp_route_with_no_host_to_fill_in()
    {
        var output = Convert("""
            services:
              db:
                ports: ["5432"]
            """);

        Assert.Contains("swarmedge.tcp.port: \"5432\"", output);
        Assert.Contains("swarmedge.tcp.entrypoint: \"5432\"", output);
        Assert.DoesNotContain("example.com", output);
    }

    [Fact]
    public void Udp_ports_and_ranges_stay_on_the_routing_mesh_with_the_service_in_vip_mode_and_are_reported()
    {
        var result = StackFileConverter.Convert("""
            services:
              dns:
                ports:
                  - "53:53/udp"   # queries
                  - "8000-8010:8000-8010"
                  - "80:80"
                deploy:
                  endpoint_mode: vip
            """);

        Assert.StartsWith("""
            services:
              dns:
                ports:
                  - "53:53/udp"   # queries
                  - "8000-8010:8000-8010"
                deploy:
                  endpoint_mode: vip
            """, result.Output);
        Assert.Contains("swarmedge.http.port: \"80\"", result.Output);
        Assert.Contains(result.Warnings, w => w.StartsWith("dns: 53:53/udp, 8000-8010:8000-8010/tcp not routable by SwarmEdge: left on the routing mesh", StringComparison.Ordinal));
        var detail = Assert.Single(result.Services).Detail;
        Assert.StartsWith("endpoint_mode unchanged (ports left on the routing mesh); 53:53/udp -> not routable by SwarmEdge (UDP): stays on the routing mesh", detail);
        Assert.Contains("8000-8010:8000-8010/tcp -> not routable by SwarmEdge (a port range)", detail);
    }

    [Fact]
    public void A_service_with_only_udp_ports_is_left_alone()
    {
        var result = StackFileConverter.Convert("services:\n  dns:\n    ports: [\"53:53/udp\"]\n");

        Assert.Equal("services:\n  dns:\n    ports: [\"53:53/udp\"]\n", result.Output);
        Assert.Equal("only ports SwarmEdge cannot route (53:53/udp: UDP or ranges); left unchanged", Assert.Single(result.Services).Detail);
    }

    [Fact]
    public void Services_of_several_documents_and_files_without_services_are_handled()
    {
        var result = StackFileConverter.Convert("""
            # not a stack
            key: value
            ---
            services:
              web:
                ports: ["80:80"]
            """);

        Assert.Equal("web", Assert.Single(result.Services).Service);
        Assert.StartsWith("# not a stack\nkey: value\n---\nservices:\n  web:\n    deploy:\n", result.Output);
    }

    [Fact]
    public void Invalid_yaml_is_an_error_with_a_position()
    {
        var ex = Assert.ThrowsAny<YamlDotNet.Core.YamlException>(() => StackFileConverter.Convert("services:\n  web: [unclosed\n"));

        Assert.True(ex.Start.Line >= 2);
    }
}

public class StackFileConverterTraefikTests
{
    [Fact]
    public void Traefik_labels_get_the_SwarmEdge_labels_they_mean_beside_them()
    {
        var result = StackFileConverter.Convert("""
            services:
              shop:
                image: shop:1
                deploy:
                  labels:
                    traefik.enable: "true"
                    traefik.http.routers.shop.rule: Host(`shop.test`) || Host(`www.shop.test`)
                    traefik.http.routers.shop.entrypoints: websecure
                    traefik.http.routers.shop.tls.certresolver: le
                    traefik.http.services.shop.loadbalancer.server.port: "8080"
                    traefik.http.services.shop.loadbalancer.responseforwarding.flushinterval: 100ms
            """);

        Assert.Equal("""
            services:
              shop:
                image: shop:1
                deploy:
                  labels:
                    traefik.enable: "true"
                    traefik.http.routers.shop.rule: Host(`shop.test`) || Host(`www.shop.test`)
                    traefik.http.routers.shop.entrypoints: websecure
                    traefik.http.routers.shop.tls.certresolver: le
                    traefik.http.services.shop.loadbalancer.server.port: "8080"
                    traefik.http.services.shop.loadbalancer.responseforwarding.flushinterval: 100ms
                    # swarmedge convert: from the traefik.* labels (SwarmEdge reads these; the Traefik ones may stay while both run)
                    # swarmedge convert: label traefik.http.services.shop.loadbalancer.responseforwarding.flushinterval is not supported and has no effect
                    swarmedge.enable: "true"
                    swarmedge.http.routers.shop.acme: "true"
                    swarmedge.http.routers.shop.host: "shop.test,www.shop.test"
                    swarmedge.http.routers.shop.port: "8080"
                    swarmedge.http.routers.shop.scheme: "https"
            """, result.Output);
        Assert.Equal(["shop: label traefik.http.services.shop.loadbalancer.responseforwarding.flushinterval is not supported and has no effect"], result.Warnings.ToArray());
        Assert.Equal("from Traefik labels: 1 route, 5 labels", Assert.Single(result.Services).Detail);
    }

    [Fact]
    public void Traefik_labels_SwarmEdge_cannot_serve_as_written_leave_the_service_unchanged_and_say_why()
    {
        const string Stack = """
            services:
              api:
                deploy:
                  labels:
                    - traefik.enable=true
                    - traefik.http.routers.api.rule=Host(`api.test`) && Query(`debug`, `1`)
                    - traefik.http.services.api.loadbalancer.server.port=80
            """;
        var result = StackFileConverter.Convert(Stack);

        Assert.Equal(Stack, result.Output);
        Assert.Equal(["api: label traefik.http.routers.api.rule: Query(`debug`, `1`): the Query matcher is not supported (Host, Path, PathPrefix, Method and Header are)"], result.Warnings.ToArray());
        Assert.False(Assert.Single(result.Services).Converted);
    }

    [Fact]
    public void A_list_of_labels_gets_list_items_and_swarmedge_labels_already_there_win()
    {
        var converted = StackFileConverter.Convert("""
            services:
              api:
                deploy:
                  labels:
                    - "traefik.enable=true"
                    - "traefik.http.routers.api.rule=PathPrefix(`/api`)"
                    - "traefik.http.services.api.loadbalancer.server.port=80"
            """);
        Assert.Contains("    - \"swarmedge.http.routers.api.path=/api\"", converted.Output, StringComparison.Ordinal);

        var both = StackFileConverter.Convert("""
            services:
              api:
                deploy:
                  labels:
                    traefik.enable: "true"
                    swarmedge.enable: "true"
            """);
        Assert.Equal("it has swarmedge.enable already; its Traefik labels left as they are", Assert.Single(both.Services).Detail);
    }
}
