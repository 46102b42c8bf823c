using YamlDotNet.Core.Events;

namespace SwarmEdge.Commands.Convert;

/// <summary>Builders for nodes the converter adds: they have no position in the source.</summary>
internal static class Yaml
{
    public static YamlScalar Plain(string value) =>
        new(new Scalar(YamlDotNet.Core.AnchorName.Empty, YamlDotNet.Core.TagName.Empty, value, YamlDotNet.Core.ScalarStyle.Plain, true, false));

    /// <summary>Double-quoted: compose wants label values to be strings, and "true" or "8080" would not be.</summary>
    public static YamlScalar Quoted(string value) =>
        new(new Scalar(YamlDotNet.Core.AnchorName.Empty, YamlDotNet.Core.TagName.Empty, value, YamlDotNet.Core.ScalarStyle.DoubleQuoted, false, true));

    /// <summary>A scalar with the given value and the style, tag and anchor of an existing one.</summary>
    public static Scalar WithValue(Scalar like, string value) =>
        new(like.Anchor, like.Tag, value, like.Style, like.IsPlainImplicit, like.IsQuotedImplicit);

    public static YamlMapping BlockMapping() =>
        new(new MappingStart(YamlDotNet.Core.AnchorName.Empty, YamlDotNet.Core.TagName.Empty, true, MappingStyle.Block));

    public static Comment BlockComment(string text) => new(text, false);
}
