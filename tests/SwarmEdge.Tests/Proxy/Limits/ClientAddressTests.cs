using System.Net;
using SwarmEdge.Proxy.Limits;

namespace SwarmEdge.Tests.Proxy.Limits;

public class ClientAddressTests
{
    [Theory]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", true)]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:3::1", false)]
    [InlineData("10.0.0.1", "::ffff:10.0.0.1", true)]
    [InlineData("10.0.0.1", "10.0.0.2", false)]
    [InlineData("0.0.0.1", "::1", false)]
    public void Ipv4_addresses_count_alone_and_ipv6_by_their_64_bit_prefix(string a, string b, bool same) =>
        Assert.Equal(same, ClientAddress.Of(IPAddress.Parse(a)) == ClientAddress.Of(IPAddress.Parse(b)));
}
