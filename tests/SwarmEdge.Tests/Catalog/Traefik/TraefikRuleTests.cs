using SwarmEdge.Catalog.Traefik;

namespace SwarmEdge.Tests.Catalog.Traefik;

/// <summary>Rule expressions as Traefik users write them, and the terms (alternatives of conjunctions) they read as.</summary>
public sealed class TraefikRuleTests
{
    private static string Terms(string rule)
    {
        var (terms, error) = TraefikRule.Parse(rule);
        return error ?? string.Join(" | ", terms.Select(t => string.Join(" & ", t)));
    }

    [Theory]
    [InlineData("Host(`shop.example.com`)", "Host(`shop.example.com`)")]
    [InlineData("Host(\"shop.example.com\")", "Host(`shop.example.com`)")]
    [InlineData("Host(`a.test`) && PathPrefix(`/api`)", "Host(`a.test`) & PathPrefix(`/api`)")]
    [InlineData("Host(`a.test`) || Host(`b.test`)", "Host(`a.test`) | Host(`b.test`)")]
    [InlineData("Host(`a.test`, `b.test`)", "Host(`a.test`) | Host(`b.test`)")]
    [InlineData("(Host(`a.test`) || Host(`b.test`)) && PathPrefix(`/x`)", "Host(`a.test`) & PathPrefix(`/x`) | Host(`b.test`) & PathPrefix(`/x`)")]
    [InlineData("Host(`a.test`) && PathPrefix(`/x`) || Host(`b.test`)", "Host(`a.test`) & PathPrefix(`/x`) | Host(`b.test`)")]
    [InlineData("Host(`a.test`) && (PathPrefix(`/x`) || PathPrefix(`/y`))", "Host(`a.test`) & PathPrefix(`/x`) | Host(`a.test`) & PathPrefix(`/y`)")]
    [InlineData("Host(`a.test`) && !PathPrefix(`/admin`)", "Host(`a.test`) & !PathPrefix(`/admin`)")]
    [InlineData("!(Host(`a.test`) || Host(`b.test`))", "!Host(`a.test`) & !Host(`b.test`)")]
    [InlineData("!(Host(`a.test`) && Method(`GET`))", "!Host(`a.test`) | !Method(`GET`)")]
    [InlineData("Header(`X-Env`, `beta`) && Method(`GET`, `HEAD`)", "Header(`X-Env`, `beta`) & Method(`GET`) | Header(`X-Env`, `beta`) & Method(`HEAD`)")]
    [InlineData("  Host( `a.test` )&&PathPrefix(`/x`)  ", "Host(`a.test`) & PathPrefix(`/x`)")]
    [InlineData("Host(\"a\\\"b\")", "Host(`a\"b`)")]
    [InlineData("HostRegexp(`^.+\\.example\\.com$`)", "HostRegexp(`^.+\\.example\\.com$`)")]
    [InlineData("", "expected a matcher at the end")]
    [InlineData("Host(`a.test`", "expected ')' closing Host at the end")]
    [InlineData("Host(a.test)", "expected a `quoted` argument at character 6")]
    [InlineData("Host(`a.test`) & PathPrefix(`/`)", "unexpected '&' at character 16")]
    [InlineData("Hots(`a.test`)", "unknown matcher Hots at character 5")]
    [InlineData("Host(`a.test`) Host(`b.test`)", "unexpected 'H' at character 16")]
    [InlineData("(Host(`a.test`)", "expected ')' at the end")]
    [InlineData("Host(`a.test)", "unterminated argument at the end")]
    public void Reads_a_rule_into_its_terms(string rule, string expected) => Assert.Equal(expected, Terms(rule));

    [Fact]
    public void A_rule_that_would_expand_beyond_the_limit_is_refused_not_computed()
    {
        // Six groups of two: 64 terms.
        var rule = string.Join(" && ", Enumerable.Range(0, 6).Select(i => $"(Host(`a{i}`) || Host(`b{i}`))"));
        Assert.StartsWith("expands to more than 32 alternatives", Terms(rule));
    }

    [Fact]
    public void Deep_nesting_and_long_rules_are_refused()
    {
        Assert.StartsWith("nests deeper than 32", Terms(new string('(', 40) + "Host(`a`)" + new string(')', 40)));
        Assert.StartsWith("nests deeper than 32", Terms(new string('!', 100) + "Host(`a`)"));
        Assert.Equal("is longer than 4000 characters", Terms("Host(`" + new string('a', 4000) + "`)"));
    }
}
