using YamlDotNet.Core;

namespace SwarmEdge.Commands.Convert;

/// <summary>Scalars written as YAML text.</summary>
internal static class YamlText
{
    /// <summary>A value in double quotes: how the README writes label values.</summary>
    public static string Quoted(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>A value written the way another scalar is (plain, single or double quoted).</summary>
    public static string Like(YamlScalar like, string value) => like.Style switch
    {
        ScalarStyle.DoubleQuoted => Quoted(value),
        ScalarStyle.SingleQuoted => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'",
        _ => value,
    };
}
