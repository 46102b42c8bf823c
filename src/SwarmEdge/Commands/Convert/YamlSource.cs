using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace SwarmEdge.Commands.Convert;

/// <summary>
/// A YAML text and its documents as nodes with their offsets, from YamlDotNet's parser (comments skipped: they
/// stay in the text, which is only ever edited, never rewritten). Also what an edit needs to know about the
/// text: lines, columns, the file's indentation and the newline it uses.
/// </summary>
internal sealed class YamlSource
{
    private YamlSource(string text, IReadOnlyList<YamlNode?> documents)
    {
        Text = text;
        Documents = documents;
        NewLine = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        IndentStep = documents.Select(FindIndentStep).FirstOrDefault(step => step > 0) is var step and > 0 ? step : 2;
    }

    public string Text { get; }

    /// <summary>The root node of each document; null for an empty document.</summary>
    public IReadOnlyList<YamlNode?> Documents { get; }

    public string NewLine { get; }

    /// <summary>How far the file indents a nested block mapping (the first one it has), else 2.</summary>
    public int IndentStep { get; }

    /// <exception cref="YamlException">The text is not valid YAML; the message has the line and column.</exception>
    public static YamlSource Parse(string text)
    {
        var parser = new Parser(new Scanner(new StringReader(text), skipComments: true));
        parser.Consume<StreamStart>();
        var documents = new List<YamlNode?>();
        while (parser.TryConsume<DocumentStart>(out _))
        {
            documents.Add(parser.Accept<DocumentEnd>(out _) ? null : ReadNode(parser, text));
            parser.Consume<DocumentEnd>();
        }

        parser.Consume<StreamEnd>();
        return new YamlSource(text, documents);
    }

    /// <summary>The offset of the first character of the line that holds offset.</summary>
    public int LineStart(int offset) => offset == 0 ? 0 : Text.LastIndexOf('\n', Math.Min(offset, Text.Length) - 1) + 1;

    /// <summary>The offset of the line end (its "\n" or "\r\n", or the end of the text) of the line that holds offset.</summary>
    public int LineEnd(int offset)
    {
        var newline = Text.IndexOf('\n', Math.Min(offset, Text.Length));
        return newline < 0 ? Text.Length : newline > 0 && Text[newline - 1] == '\r' ? newline - 1 : newline;
    }

    /// <summary>The offset of the line after the one that holds offset, or the end of the text.</summary>
    public int NextLine(int offset)
    {
        var newline = Text.IndexOf('\n', Math.Min(offset, Text.Length));
        return newline < 0 ? Text.Length : newline + 1;
    }

    public int Column(int offset) => offset - LineStart(offset);

    /// <summary>Whether only spaces stand between the start of offset's line and offset.</summary>
    public bool StartsItsLine(int offset) => Text.AsSpan(LineStart(offset), offset - LineStart(offset)).IsWhiteSpace();

    /// <summary>
    /// Where the comment lines directly above the line of offset begin (no blank line between), not above floor
    /// (the line after the previous sibling: a "#" line inside a block scalar is text, not a comment).
    /// </summary>
    public int LeadingCommentsStart(int offset, int floor)
    {
        var start = LineStart(offset);
        while (start > floor)
        {
            var previous = LineStart(start - 1);
            if (!Text.AsSpan(previous, start - previous).TrimStart().StartsWith("#"))
            {
                break;
            }

            start = previous;
        }

        return start;
    }

    private static YamlNode ReadNode(IParser parser, string text)
    {
        var current = parser.Current!;
        parser.MoveNext();
        switch (current)
        {
            case Scalar scalar:
                return new YamlScalar(scalar.Value, scalar.Style, Offset(scalar.Start), TrimmedEnd(text, Offset(scalar.Start), Offset(scalar.End)));
            case AnchorAlias alias:
                return new YamlAlias(Offset(alias.Start), Offset(alias.End));
            case MappingStart mapping:
            {
                var entries = new List<YamlEntry>();
                MappingEnd end;
                while (!parser.TryConsume(out end!))
                {
                    entries.Add(new YamlEntry(ReadNode(parser, text), ReadNode(parser, text)));
                }

                var flow = mapping.Style == MappingStyle.Flow;
                return new YamlMapping(flow, entries, Offset(mapping.Start),
                    flow ? Offset(end.Start) + 1 : LastEnd(entries.Select(e => e.Value), Offset(mapping.Start)));
            }

            case SequenceStart sequence:
            {
                var items = new List<YamlNode>();
                SequenceEnd end;
                while (!parser.TryConsume(out end!))
                {
                    items.Add(ReadNode(parser, text));
                }

                var flow = sequence.Style == SequenceStyle.Flow;
                return new YamlSequence(flow, items, Offset(sequence.Start),
                    flow ? Offset(end.Start) + 1 : LastEnd(items, Offset(sequence.Start) + 1));
            }

            default:
                throw new YamlException(current.Start, current.End, $"unexpected {current.GetType().Name}");
        }
    }

    private static int Offset(Mark mark) => (int)mark.Index;

    private static int LastEnd(IEnumerable<YamlNode> children, int start) => children.Select(c => c.End).Append(start).Max();

    // A block scalar's end mark is at the start of the line after it: the node ends at its last character.
    private static int TrimmedEnd(string text, int start, int end)
    {
        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return end;
    }

    private int FindIndentStep(YamlNode? node)
    {
        if (node is YamlMapping { IsFlow: false } mapping)
        {
            foreach (var entry in mapping.Entries)
            {
                if (entry.Value is YamlMapping { IsFlow: false, Entries.Count: > 0 } child && StartsItsLine(child.Start))
                {
                    return Column(child.Start) - Column(entry.Key.Start);
                }

                if (FindIndentStep(entry.Value) is > 0 and var step)
                {
                    return step;
                }
            }
        }

        return 0;
    }
}
