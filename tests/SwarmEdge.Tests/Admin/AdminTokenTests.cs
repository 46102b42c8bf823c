using SwarmEdge.Admin;

namespace SwarmEdge.Tests.Admin;

public class AdminTokenTests
{
    private const string Secret = "s3cret-token-0123456789";

    [Theory]
    [InlineData("Bearer " + Secret, true)]
    [InlineData("bearer " + Secret, true)]
    [InlineData("Bearer  " + Secret + " ", true)]
    [InlineData("Bearer " + Secret + "x", false)]
    [InlineData("Bearer s3cret", false)]
    [InlineData("Basic " + Secret, false)]
    [InlineData(Secret, false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Only_the_bearer_token_itself_is_accepted(string? authorization, bool accepted) =>
        Assert.Equal(accepted, AdminToken.FromValue(Secret).Accepts(authorization));

    [Fact]
    public void Without_a_token_everything_is_accepted_and_nothing_is_required()
    {
        Assert.False(AdminToken.None.Required);
        Assert.True(AdminToken.None.Accepts(null));
    }

    [Fact]
    public void The_file_is_read_once_with_its_white_space_trimmed()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, Secret + "\n");
            var token = AdminToken.FromFile(path);
            Assert.True(token.Required);
            Assert.True(token.Accepts("Bearer " + Secret));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("short")]
    [InlineData("two tokens-0123456789")]
    [InlineData("")]
    public void A_short_or_spaced_token_is_refused_with_the_reason(string content)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, content);
            var error = Assert.Throws<InvalidOperationException>(() => AdminToken.FromFile(path));
            Assert.Contains("at least 16 characters without spaces", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_missing_file_is_refused_with_its_path() =>
        Assert.Contains("/nonexistent/token\" cannot be read", Assert.Throws<InvalidOperationException>(() => AdminToken.FromFile("/nonexistent/token")).Message);
}
