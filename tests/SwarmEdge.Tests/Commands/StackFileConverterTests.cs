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
                    swarmedge.enable: "true"
                    swarmedge.http.port: "8080"

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
                    swarmedge.enable: "true"
                    swarmedge.http.port: "80"

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

            """, result.Output);
        Assert.EndsWith("swarmedge.http.port 9090", Assert.Single(result.Services).Detail);
    }

    [Fact]
    public void The_first_clearly_http_port_is_chosen_over_an_earlier_unknown_one()
    {
        var result = StackFileConverter.Convert("""
            services:
              app:
                ports:
                  - "7001:7001"
                  - "8443:443"
                  - "8080:8080"
            """);

        Assert.Contains("swarmedge.http.port: \"8080\"", result.Output);
        Assert.Contains("not routed by SwarmEdge: 7001:7001/tcp, 8443:443/tcp", Assert.Single(result.Services).Detail);
    }

    [Fact]
    public void Without_an_http_looking_port_any_single_tcp_port_that_is_not_a_known_other_protocol_is_used()
    {
        var output = Convert("""
            services:
              app:
                ports: ["5432:5432", "7001:7001"]
            """);

        Assert.Contains("swarmedge.http.port: \"7001\"", output);
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
