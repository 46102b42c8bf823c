using System.Text.RegularExpressions;

namespace SwarmEdge.Catalog;

/// <summary>The HTTP names labels may hold (RFC 9110 tokens): one definition for every parser of labels.</summary>
internal static partial class HttpToken
{
    public static bool IsHeaderName(string value) => HeaderNameRegex().IsMatch(value);

    /// <summary>A method as labels name it: letters only, any case (labels upper-case what they keep).</summary>
    public static bool IsMethod(string value) => MethodRegex().IsMatch(value);

    [GeneratedRegex(@"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}\z")]
    private static partial Regex HeaderNameRegex();

    [GeneratedRegex(@"^[A-Za-z]{1,20}\z")]
    private static partial Regex MethodRegex();
}
