using YamlDotNet.Core.Events;

namespace SwarmEdge.Commands.Convert;

internal sealed class YamlScalar(Scalar scalar) : YamlNode
{
    public Scalar Event { get; set; } = scalar;

    public string Value => Event.Value;
}
