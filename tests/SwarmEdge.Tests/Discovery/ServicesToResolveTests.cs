using SwarmEdge.Discovery;

namespace SwarmEdge.Tests.Discovery;

public class ServicesToResolveTests
{
    [Fact]
    public void A_name_keeps_its_generation_while_it_stays_and_gets_a_new_one_when_it_comes_back()
    {
        var services = new ServicesToResolve();
        services.Set(["web", "api"]);
        var first = services.Names;

        services.Set(["web", "api", "db"]);
        Assert.Equal(first["web"], services.Names["web"]);
        Assert.Equal(first["api"], services.Names["api"]);

        services.Set(["api"]);
        services.Set(["web", "api"]);
        Assert.NotEqual(first["web"], services.Names["web"]); // the loop dropped web's answers: the watcher tells it again
        Assert.Equal(first["api"], services.Names["api"]);
    }
}
