using SwarmEdge.Discovery;
using static SwarmEdge.Tests.TestData;

namespace SwarmEdge.Tests.Discovery;

public class DnsViewTests
{
    [Fact]
    public void A_first_answer_and_a_new_set_of_addresses_are_changes_the_same_set_is_not()
    {
        var (first, firstChanged) = DnsView.Empty.With("web", Dns("10.0.1.5", "10.0.1.6"));
        Assert.True(firstChanged);

        var (same, sameChanged) = first.With("web", Dns("10.0.1.6", "10.0.1.5"));
        Assert.False(sameChanged);
        Assert.Same(first.Answers, same.Answers);

        var (fewer, fewerChanged) = same.With("web", Dns("10.0.1.6"));
        Assert.True(fewerChanged);
        Assert.Equal([System.Net.IPAddress.Parse("10.0.1.6")], fewer.Answers["web"].Addresses);
    }

    [Fact]
    public void A_failure_keeps_the_last_good_answer_and_is_reported_until_a_lookup_works_again()
    {
        var (good, _) = DnsView.Empty.With("web", Dns("10.0.1.5"));

        var (failed, failedChanged) = good.With("web", DnsAnswer.Failed("timed out"));
        Assert.False(failedChanged);
        Assert.Equal(good.Answers, failed.Answers);
        Assert.Equal("timed out", failed.Errors["web"]);

        var (recovered, recoveredChanged) = failed.With("web", Dns("10.0.1.5"));
        Assert.False(recoveredChanged);
        Assert.Empty(recovered.Errors);
    }

    [Fact]
    public void A_service_that_never_answered_has_an_error_and_no_answer()
    {
        var (failed, changed) = DnsView.Empty.With("web", DnsAnswer.Failed("refused"));
        Assert.False(changed);
        Assert.Empty(failed.Answers);
        Assert.Equal("refused", failed.Errors["web"]);
    }

    [Fact]
    public void Services_no_longer_resolved_are_forgotten()
    {
        var (view, _) = DnsView.Empty.With("web", Dns("10.0.1.5"));
        (view, _) = view.With("api", DnsAnswer.Failed("timed out"));
        (view, _) = view.With("db", Dns("10.0.2.7"));

        var kept = view.Retain(new HashSet<string> { "db" });
        Assert.Equal(["db"], kept.Answers.Keys);
        Assert.Empty(kept.Errors);
        Assert.Same(kept, kept.Retain(new HashSet<string> { "db", "web" }));
    }
}
