using System.Collections.Immutable;

namespace SwarmEdge.Commands.Convert;

/// <summary>
/// A parsed YAML file: its documents, the indentation it uses (so the writer can use the same), and what
/// could not be kept.
/// </summary>
internal sealed record YamlFile(List<YamlDocument> Documents, int Indent, bool IndentedSequences, ImmutableArray<string> Lost);
