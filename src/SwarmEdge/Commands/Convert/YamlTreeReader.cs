using System.Collections.Immutable;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace SwarmEdge.Commands.Convert;

/// <summary>
/// Text to a tree of <see cref="YamlNode"/>: YamlDotNet's parser over a scanner that keeps comments, then the events grouped
/// into nodes. Blank lines are not events; they are counted from the source positions of the events and kept as
/// blank-line markers among the comments (see <see cref="YamlTreeWriter"/>).
/// </summary>
internal sealed class YamlTreeReader
{
    /// <summary>The comment text that stands for one blank line. NUL cannot occur in a YAML comment.</summary>
    public const string BlankLine = "\0";

    /// <summary>
    /// The plain scalar that stands for an empty value ("key:"), a private-use character the emitter writes
    /// unquoted and the writer then erases. (The emitter writes an empty value as '' or, tagged null, as "key: "
    /// with a trailing space.)
    /// </summary>
    public const string NullValue = "\uE000";

    private readonly List<ParsingEvent> _events;
    private readonly int[] _blanks;
    private readonly List<Comment> _carry = [];
    private int _next;
    private int? _indent;
    private bool? _indentedSequences;

    private YamlTreeReader(List<ParsingEvent> events, int[] blanks)
    {
        _events = events;
        _blanks = blanks;
    }

    /// <exception cref="YamlException">The text is not valid YAML; the message has the line and column.</exception>
    public static YamlFile Read(string text)
    {
        var scanner = new CommentTolerantScanner(new Scanner(new StringReader(text), skipComments: false));
        var parser = new Parser(scanner);
        var parsed = new List<ParsingEvent>();
        while (parser.MoveNext())
        {
            parsed.Add(parser.Current!);
        }

        // The comments the scanner held back go after the end of the flow collection they followed. Only now is
        // that map complete: the scanner reads a token or two ahead of the events.
        var events = new List<ParsingEvent>(parsed.Count);
        var flow = new Stack<bool>();
        var flowEnds = 0;
        foreach (var e in parsed)
        {
            events.Add(Faithful(e, text));
            switch (e)
            {
                case MappingStart m:
                    flow.Push(m.Style == MappingStyle.Flow);
                    break;
                case SequenceStart s:
                    flow.Push(s.Style == SequenceStyle.Flow);
                    break;
                case MappingEnd or SequenceEnd when flow.Pop():
                    flowEnds++;
                    foreach (var comment in scanner.AfterFlowEnd.GetValueOrDefault(flowEnds) ?? [])
                    {
                        events.Add(Faithful(new Comment(comment.Value, comment.Start.Line == e.End.Line, comment.Start, comment.End), text));
                    }

                    break;
            }
        }

        var reader = new YamlTreeReader(events, CountBlankLines(text, events));
        var documents = reader.ReadStream();
        var lost = scanner.InsideFlow
            .Select(c => $"line {c.Start.Line}: the comment inside a flow collection ('# {c.Value}') is not kept")
            .ToImmutableArray();
        return new YamlFile(documents, reader._indent ?? 2, reader._indentedSequences ?? false, lost);
    }

    /// <summary>
    /// Two things the parser reports in a form the emitter would not write back as they were:
    /// a comment's text loses the spaces after "#" ("#   indented" would come back as "# indented"): it is taken
    /// from the source instead, less the one space the emitter writes itself; and the empty value of "key:" is
    /// an untagged empty plain scalar, which the emitter writes as '' (an empty string, not null): it becomes a
    /// marker that the writer erases, so "key:" comes back as "key:".
    /// </summary>
    private static ParsingEvent Faithful(ParsingEvent e, string text)
    {
        switch (e)
        {
            case Comment comment when comment.End.Index > comment.Start.Index && comment.End.Index <= text.Length
                                      && text[(int)comment.Start.Index] == '#':
                var source = text[(int)(comment.Start.Index + 1)..(int)comment.End.Index].TrimEnd();
                var value = source.StartsWith(' ') ? source[1..] : source;
                return new Comment(value, comment.IsInline, comment.Start, comment.End);
            case Scalar { Value: "", Style: ScalarStyle.Plain, IsPlainImplicit: true } scalar when scalar.Tag.IsEmpty:
                // The marker value is written as is and removed by the writer; a file that contains the marker
                // character itself (never seen in a stack file) gets the null tag instead, written as "key: ".
                return text.Contains(NullValue, StringComparison.Ordinal)
                    ? new Scalar(scalar.Anchor, new TagName("tag:yaml.org,2002:null"), "", ScalarStyle.Plain, true, false, scalar.Start, scalar.End)
                    : new Scalar(scalar.Anchor, scalar.Tag, NullValue, ScalarStyle.Plain, true, false, scalar.Start, scalar.End);
            default:
                return e;
        }
    }

    /// <summary>
    /// For each event that starts something on the page (scalar, alias, comment, collection), the number of
    /// blank lines between it and what came before it.
    /// </summary>
    private static int[] CountBlankLines(string text, List<ParsingEvent> events)
    {
        var blanks = new int[events.Count];
        long previousEnd = -1;
        var flow = new Stack<bool>();
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            bool positional;
            switch (e)
            {
                case MappingStart m:
                    flow.Push(m.Style == MappingStyle.Flow);
                    positional = true;
                    break;
                case SequenceStart s:
                    flow.Push(s.Style == SequenceStyle.Flow);
                    positional = true;
                    break;
                case MappingEnd or SequenceEnd:
                    // A block collection's end has the position of whatever follows it.
                    positional = flow.Pop();
                    break;
                case Scalar or AnchorAlias or Comment:
                    positional = true;
                    break;
                default:
                    positional = false;
                    break;
            }

            // Synthetic events (comments put back by the scanner) and the empty scalar of "key:" have no extent.
            if (!positional || e.Start.Index == e.End.Index && e is not (MappingStart or SequenceStart))
            {
                continue;
            }

            if (previousEnd >= 0 && e.Start.Index > previousEnd)
            {
                blanks[i] = BlankLinesBetween(text, (int)previousEnd, (int)e.Start.Index);
            }

            previousEnd = Math.Max(previousEnd, EffectiveEnd(text, e));
        }

        return blanks;
    }

    /// <summary>
    /// Where an event's text ends. A block scalar ("|", ">") swallows the blank lines after it unless it keeps
    /// them ("|+", whose value then ends in several line breaks that the emitter writes back).
    /// </summary>
    private static long EffectiveEnd(string text, ParsingEvent e)
    {
        var end = e.End.Index;
        if (e is Scalar { Style: ScalarStyle.Literal or ScalarStyle.Folded } scalar && !scalar.Value.EndsWith("\n\n", StringComparison.Ordinal))
        {
            while (end > e.Start.Index && char.IsWhiteSpace(text[(int)end - 1]))
            {
                end--;
            }
        }

        return end;
    }

    /// <summary>Whole lines between two positions that hold nothing but white space.</summary>
    private static int BlankLinesBetween(string text, int from, int to)
    {
        var lines = text[from..to].Split('\n');
        return lines.Skip(1).SkipLast(1).Count(string.IsNullOrWhiteSpace);
    }

    private ParsingEvent Peek() => _events[_next];

    private ParsingEvent Take() => _events[_next++];

    private List<YamlDocument> ReadStream()
    {
        var documents = new List<YamlDocument>();
        Take(); // StreamStart
        while (Peek() is DocumentStart)
        {
            var document = new YamlDocument((DocumentStart)Take());
            TakeComments(document.Leading);
            if (Peek() is not DocumentEnd)
            {
                AddBlanks(document.Leading, _next);
                document.Root = ReadNode();
            }

            document.Trailing.AddRange(TakeCarry());
            TakeComments(document.Trailing);
            document.End = (DocumentEnd)Take();
            documents.Add(document);
        }

        return documents;
    }

    private void TakeComments(List<Comment> into)
    {
        while (Peek() is Comment)
        {
            AddBlanks(into, _next);
            into.Add((Comment)Take());
        }
    }

    private void AddBlanks(List<Comment> into, int index)
    {
        for (var i = 0; i < _blanks[index]; i++)
        {
            into.Add(Yaml.BlockComment(BlankLine));
        }
    }

    private YamlNode ReadNode() => Take() switch
    {
        Scalar scalar => new YamlScalar(scalar),
        AnchorAlias alias => new YamlAlias(alias),
        MappingStart start => ReadMapping(start),
        SequenceStart start => ReadSequence(start),
        var other => throw new YamlException(other.Start, other.End, $"unexpected {other.GetType().Name}"),
    };

    private YamlMapping ReadMapping(MappingStart start)
    {
        var mapping = new YamlMapping(start);
        while (true)
        {
            var leading = TakeCarry();
            TakeLeadingComments(leading, mapping.Entries.LastOrDefault()?.Inline);
            if (Peek() is MappingEnd)
            {
                mapping.Trailing.AddRange(leading);
                mapping.End = (MappingEnd)Take();
                if (!mapping.IsFlow && mapping.Entries.FirstOrDefault()?.Key is YamlScalar first)
                {
                    CarryOutdented(mapping.Trailing, first.Event.Start.Column);
                }

                return mapping;
            }

            AddBlanks(leading, _next);
            var key = ReadNode();
            var between = new List<Comment>();
            while (Peek() is Comment)
            {
                between.Add((Comment)Take());
            }

            var valueStart = _next;
            var value = ReadNode();
            var entry = new YamlEntry(key, value);
            entry.Leading.AddRange(leading);
            if (value is YamlMapping { IsFlow: false } or YamlSequence { IsFlow: false })
            {
                AddBlanks(between, valueStart);
            }

            entry.Between.AddRange(between);
            Notice(key, value);
            MoveCommentsIntoBlockValue(entry);
            while (Peek() is Comment { IsInline: true })
            {
                entry.Inline.Add((Comment)Take());
            }

            mapping.Entries.Add(entry);
        }
    }

    private YamlSequence ReadSequence(SequenceStart start)
    {
        var sequence = new YamlSequence(start);
        while (true)
        {
            var leading = TakeCarry();
            TakeLeadingComments(leading, sequence.Items.LastOrDefault()?.Inline);
            if (Peek() is SequenceEnd)
            {
                sequence.Trailing.AddRange(leading);
                sequence.End = (SequenceEnd)Take();
                if (!sequence.IsFlow)
                {
                    CarryOutdented(sequence.Trailing, start.Start.Column);
                }

                return sequence;
            }

            AddBlanks(leading, _next);
            var item = new YamlItem(ReadNode());
            item.Leading.AddRange(leading);
            while (Peek() is Comment { IsInline: true })
            {
                item.Inline.Add((Comment)Take());
            }

            sequence.Items.Add(item);
        }
    }

    private List<Comment> TakeCarry()
    {
        var carried = new List<Comment>(_carry);
        _carry.Clear();
        return carried;
    }

    /// <summary>
    /// The parser reports every comment before the end of the innermost collection, even one written further
    /// left, about what follows ("    image: x\n# the database\ndb:"): such comments, with the blank lines before
    /// them, are handed to the enclosing collection, so that they keep their place and their indentation.
    /// </summary>
    private void CarryOutdented(List<Comment> trailing, long column)
    {
        var first = trailing.FindIndex(c => !c.IsInline && c.Value != BlankLine && c.Start.Column < column);
        if (first < 0)
        {
            return;
        }

        while (first > 0 && trailing[first - 1].Value == BlankLine)
        {
            first--;
        }

        _carry.AddRange(trailing.Skip(first));
        trailing.RemoveRange(first, trailing.Count - first);
    }

    /// <summary>Block comments (and blank lines) before the next entry; a stray inline one joins the entry before.</summary>
    private void TakeLeadingComments(List<Comment> leading, List<Comment>? previousInline)
    {
        while (Peek() is Comment comment)
        {
            if (comment.IsInline && leading.Count == 0 && previousInline is not null)
            {
                previousInline.Add((Comment)Take());
                continue;
            }

            AddBlanks(leading, _next);
            leading.Add((Comment)Take());
        }
    }

    /// <summary>
    /// A block comment between a key and its block collection ("ports:\n  # web\n  - 80:80") is about the first
    /// child: it goes with it (and goes away with it), and the emitter then indents it like the child, where it
    /// would otherwise write it at the key's indentation. Inline comments ("ports: # web") stay on the key's line.
    /// </summary>
    private static void MoveCommentsIntoBlockValue(YamlEntry entry)
    {
        var block = entry.Between.Where(c => !c.IsInline).ToList();
        if (block.Count == 0)
        {
            return;
        }

        List<Comment>? target = entry.Value switch
        {
            YamlMapping { IsFlow: false } m => m.Entries.Count > 0 ? m.Entries[0].Leading : m.Trailing,
            YamlSequence { IsFlow: false } s => s.Items.Count > 0 ? s.Items[0].Leading : s.Trailing,
            _ => null,
        };
        if (target is null)
        {
            return;
        }

        target.InsertRange(0, block);
        entry.Between.RemoveAll(c => !c.IsInline);
    }

    /// <summary>The file's own indentation: the first nested block mapping and the first block sequence tell.</summary>
    private void Notice(YamlNode key, YamlNode value)
    {
        if (key is not YamlScalar k)
        {
            return;
        }

        if (_indent is null && value is YamlMapping { IsFlow: false } m && m.Entries.Count > 0 && m.Entries[0].Key is YamlScalar first
            && first.Event.Start.Line > k.Event.Start.Line)
        {
            var indent = (int)(first.Event.Start.Column - k.Event.Start.Column);
            if (indent is >= 2 and <= 9)
            {
                _indent = indent;
            }
        }

        if (_indentedSequences is null && value is YamlSequence { IsFlow: false } s && s.Start.Start.Line > k.Event.Start.Line)
        {
            _indentedSequences = s.Start.Start.Column > k.Event.Start.Column;
        }
    }
}
