namespace SwarmEdge.Commands.Convert;

/// <summary>
/// Edits of a YAML text in the file's own layout: entries and items removed with the comment lines above
/// them, entries added after the last one that stays at the indentation of their siblings, values replaced in
/// their own quoting. Flow collections get flow text, block collections lines.
/// </summary>
internal sealed class YamlEditor(YamlSource source, TextEdits edits)
{
    private readonly HashSet<YamlEntry> _removed = [];

    // Items added to flow collections so far: the next one needs a comma even when the collection was empty.
    private readonly Dictionary<YamlNode, int> _addedToFlow = [];

    public int IndentStep => source.IndentStep;

    /// <summary>Removes an entry of a block mapping: its lines and the comment lines right above it.</summary>
    public void Remove(YamlMapping mapping, YamlEntry entry)
    {
        _removed.Add(entry);
        edits.Remove(CommentsStart(mapping, entry), source.NextLine(EndOf(entry)));
    }

    /// <summary>Removes some items of a sequence (not all: then the caller removes its entry).</summary>
    public void Remove(YamlSequence sequence, IReadOnlySet<YamlNode> items)
    {
        if (!sequence.IsFlow)
        {
            for (var i = 0; i < sequence.Items.Count; i++)
            {
                if (items.Contains(sequence.Items[i]))
                {
                    var dash = DashOf(sequence.Items[i]);
                    var floor = i > 0 ? source.NextLine(sequence.Items[i - 1].End) : 0;
                    edits.Remove(source.LeadingCommentsStart(dash, floor), source.NextLine(sequence.Items[i].End));
                }
            }

            return;
        }

        // Runs of removed items: one followed by a kept item goes up to that item (its comma and what follows
        // it); a run at the end takes the comma after the last kept item, and its own lines when it has them.
        var list = sequence.Items;
        for (var i = 0; i < list.Count; i++)
        {
            if (!items.Contains(list[i]))
            {
                continue;
            }

            var last = i;
            while (last + 1 < list.Count && items.Contains(list[last + 1]))
            {
                last++;
            }

            if (last + 1 < list.Count)
            {
                edits.Remove(list[i].Start, list[last + 1].Start);
            }
            else
            {
                var comma = SeparatorAfter(list[i - 1].End);
                if (source.LineStart(comma) == source.LineStart(list[i].Start))
                {
                    edits.Remove(comma, list[last].End); // "a, b]" -> "a]"
                }
                else
                {
                    edits.Remove(comma, comma + 1);
                    var ownLines = source.StartsItsLine(list[i].Start) && source.LineStart(sequence.End - 1) > list[last].End;
                    edits.Remove(ownLines ? source.LineStart(list[i].Start) : list[i].Start, ownLines ? source.NextLine(list[last].End) : list[last].End);
                }
            }

            i = last;
        }
    }

    /// <summary>Replaces a node's text (a scalar keeps its quoting when given as a scalar).</summary>
    public void Replace(YamlNode node, string text) => edits.Replace(node.Start, node.End, text);

    /// <summary>
    /// Adds entries at the end of a mapping. Block: lines (and comment lines above them) after the last entry
    /// that stays, at the entries' column; flow: "key: value" before the closing brace (comments cannot go in
    /// flow). Values are YAML text; a value may be a nested block of lines (see Lines).
    /// </summary>
    public void Append(YamlMapping mapping, int keyColumn, IReadOnlyList<string> comments, IReadOnlyList<(string Key, string Value)> entries)
    {
        if (mapping.IsFlow)
        {
            InsertFlow(mapping, mapping.Entries.Count, entries.Select(e => $"{e.Key}: {e.Value}").ToList());
            return;
        }

        InsertLines(AfterLastKept(mapping), Lines(keyColumn, comments, entries));
    }

    /// <summary>Adds one entry before another of the same mapping (above its comments, in block style).</summary>
    public void InsertBefore(YamlMapping mapping, YamlEntry before, string key, string value)
    {
        if (mapping.IsFlow)
        {
            edits.Insert(before.Key.Start, $"{key}: {value}, ");
            return;
        }

        edits.Insert(CommentsStart(mapping, before), $"{new string(' ', source.Column(before.Key.Start))}{key}: {value}{source.NewLine}");
    }

    /// <summary>Comment lines right above an entry of a block mapping, below the comments it has.</summary>
    public void CommentAbove(YamlEntry entry, IReadOnlyList<string> comments)
    {
        InsertLines(source.LineStart(entry.Key.Start), Lines(source.Column(entry.Key.Start), comments, []));
    }

    /// <summary>Adds items at the end of a sequence, in the style of its items; comments above them in block style.</summary>
    public void Append(YamlSequence sequence, IReadOnlyList<string> comments, IReadOnlyList<string> items)
    {
        if (sequence.IsFlow)
        {
            InsertFlow(sequence, sequence.Items.Count, items);
            return;
        }

        var column = source.Column(DashOf(sequence.Items[0]));
        var indent = new string(' ', column);
        InsertLines(source.NextLine(sequence.End), Lines(column, comments, []).Concat(items.Select(i => $"{indent}- {i}")));
    }

    /// <summary>
    /// Turns an entry's empty flow value ("labels: {}" or "[]") into a block mapping of the given entries, one
    /// indentation step in from the key; what followed the value on its line (a comment) stays.
    /// </summary>
    public bool TryReplaceWithBlock(YamlEntry entry, IReadOnlyList<string> comments, IReadOnlyList<(string Key, string Value)> entries)
    {
        // Only "key: {}" as such: a space before the colon, an anchor or a tag on the value would be lost.
        var between = source.Text[entry.Key.End..entry.Value.Start];
        if (!between.StartsWith(':') || !string.IsNullOrWhiteSpace(between[1..]))
        {
            return false;
        }

        edits.Remove(entry.Key.End + 1, entry.Value.End);
        InsertLines(source.NextLine(entry.Value.End), Lines(source.Column(entry.Key.Start) + IndentStep, comments, entries));
        return true;
    }

    /// <summary>A nested block mapping as an entry's value: the lines of its entries, indented one step from column.</summary>
    public string Block(int column, IReadOnlyList<string> comments, IReadOnlyList<(string Key, string Value)> entries) =>
        string.Concat(Lines(column, comments, entries).Select(l => source.NewLine + l));

    /// <summary>The column of a mapping's keys; for a mapping whose entries all go, one step in from its owner's key.</summary>
    public int KeyColumn(YamlMapping mapping, YamlNode ownerKey) =>
        mapping.Entries.Count > 0 ? source.Column(mapping.Entries[0].Key.Start) : source.Column(ownerKey.Start) + IndentStep;

    // Comment lines, then "key: value" lines, at one column.
    private IEnumerable<string> Lines(int column, IReadOnlyList<string> comments, IReadOnlyList<(string Key, string Value)> entries)
    {
        var indent = new string(' ', column);
        return comments.Select(c => $"{indent}# {c}").Concat(entries.Select(e => $"{indent}{e.Key}:{Tail(e.Value)}"));
    }

    // Where an entry's own comment lines start: above it, but not above the end of the entry before it.
    private int CommentsStart(YamlMapping mapping, YamlEntry entry)
    {
        var index = IndexOf(mapping, entry);
        return source.LeadingCommentsStart(entry.Key.Start, index > 0 ? source.NextLine(EndOf(mapping.Entries[index - 1])) : 0);
    }

    // A value either on the key's line (" value") or a nested block of lines (starting with a newline).
    private string Tail(string value) => value.StartsWith(source.NewLine, StringComparison.Ordinal) ? value : " " + value;

    private int AfterLastKept(YamlMapping mapping)
    {
        var kept = mapping.Entries.LastOrDefault(e => !_removed.Contains(e));
        return kept is null
            ? source.LeadingCommentsStart(mapping.Entries[0].Key.Start, 0) // every entry goes: where the first one was
            : source.NextLine(EndOf(kept));
    }

    private static int IndexOf(YamlMapping mapping, YamlEntry entry)
    {
        for (var i = 0; i < mapping.Entries.Count; i++)
        {
            if (ReferenceEquals(mapping.Entries[i], entry))
            {
                return i;
            }
        }

        return -1;
    }

    private static int EndOf(YamlEntry entry) => Math.Max(entry.Key.End, entry.Value.End);

    private void InsertLines(int at, IEnumerable<string> lines)
    {
        var text = string.Concat(lines.Select(l => l + source.NewLine));
        // A file whose last line has no line end: the new lines go after one, and end without one.
        if (at == source.Text.Length && at > 0 && source.Text[at - 1] != '\n')
        {
            text = source.NewLine + text[..^source.NewLine.Length];
        }

        edits.Insert(at, text);
    }

    // After the last item, so a closing bracket on a line of its own stays where it is; a collection written with
    // a comma after its last item ("[a, b,]") keeps that form.
    private void InsertFlow(YamlNode collection, int items, IReadOnlyList<string> added)
    {
        var earlier = _addedToFlow.GetValueOrDefault(collection);
        _addedToFlow[collection] = earlier + added.Count;
        if (items == 0)
        {
            edits.Insert(collection.End - 1, (earlier > 0 ? ", " : "") + string.Join(", ", added));
            return;
        }

        var last = collection switch
        {
            YamlMapping m => EndOf(m.Entries[^1]),
            YamlSequence q => q.Items[^1].End,
            _ => collection.End - 1,
        };
        var separator = SeparatorAfter(last);
        if (source.Text[separator] == ',')
        {
            edits.Insert(separator + 1, string.Concat(added.Select(a => " " + a + ",")));
        }
        else
        {
            edits.Insert(last, string.Concat(added.Select(a => ", " + a)));
        }
    }

    // A block sequence item starts after its "- ", possibly on a line below the dash (comments between).
    private int DashOf(YamlNode item)
    {
        for (var line = source.LineStart(item.Start); ; line = source.LineStart(line - 1))
        {
            var first = line;
            while (first < source.Text.Length && source.Text[first] == ' ')
            {
                first++;
            }

            if (first < source.Text.Length && source.Text[first] == '-')
            {
                return first;
            }

            if (line == 0)
            {
                return item.Start;
            }
        }
    }

    // The comma after a flow item, or the bracket that closes its collection: past spaces, line ends and comments.
    private int SeparatorAfter(int offset)
    {
        var text = source.Text;
        var at = offset;
        while (at < text.Length && text[at] is not (',' or ']' or '}'))
        {
            at = text[at] == '#' ? source.NextLine(at) : at + 1;
        }

        return at;
    }
}
