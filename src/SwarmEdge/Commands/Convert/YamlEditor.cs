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

    public YamlSource Source => source;

    public int IndentStep => source.IndentStep;

    /// <summary>Removes an entry of a block mapping: its lines and the comment lines right above it.</summary>
    public void Remove(YamlEntry entry)
    {
        _removed.Add(entry);
        edits.Remove(source.LeadingCommentsStart(entry.Key.Start), source.NextLine(Math.Max(entry.Key.End, entry.Value.End)));
    }

    /// <summary>Removes some items of a sequence (not all: then the caller removes its entry).</summary>
    public void Remove(YamlSequence sequence, IReadOnlySet<YamlNode> items)
    {
        if (!sequence.IsFlow)
        {
            foreach (var item in sequence.Items.Where(items.Contains))
            {
                edits.Remove(source.LeadingCommentsStart(DashOf(item)), source.NextLine(item.End));
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
                var closing = sequence.End - 1;
                if (source.LineStart(comma) == source.LineStart(list[i].Start))
                {
                    edits.Remove(comma, list[last].End); // "a, b]" -> "a]"
                }
                else
                {
                    edits.Remove(comma, comma + 1);
                    var ownLines = source.StartsItsLine(list[i].Start) && source.LineStart(closing) > list[last].End;
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

        var indent = new string(' ', keyColumn);
        var lines = comments.Select(c => $"{indent}# {c}").Concat(entries.Select(e => $"{indent}{e.Key}:{Tail(e.Value)}"));
        InsertLines(AfterLastKept(mapping), lines);
    }

    /// <summary>Adds one entry before another of the same mapping (above its comments, in block style).</summary>
    public void InsertBefore(YamlMapping mapping, YamlEntry before, string key, string value)
    {
        if (mapping.IsFlow)
        {
            edits.Insert(before.Key.Start, $"{key}: {value}, ");
            return;
        }

        var at = source.LeadingCommentsStart(before.Key.Start);
        edits.Insert(at, $"{new string(' ', source.Column(before.Key.Start))}{key}: {value}{source.NewLine}");
    }

    /// <summary>Comment lines right above an entry of a block mapping, below the comments it has.</summary>
    public void CommentAbove(YamlEntry entry, IReadOnlyList<string> comments)
    {
        var indent = new string(' ', source.Column(entry.Key.Start));
        InsertLines(source.LineStart(entry.Key.Start), comments.Select(c => $"{indent}# {c}"));
    }

    /// <summary>Adds items at the end of a sequence, in the style of its items; comments above them in block style.</summary>
    public void Append(YamlSequence sequence, IReadOnlyList<string> comments, IReadOnlyList<string> items)
    {
        if (sequence.IsFlow)
        {
            InsertFlow(sequence, sequence.Items.Count, items);
            return;
        }

        var indent = new string(' ', source.Column(sequence.Start));
        InsertLines(source.NextLine(sequence.End), comments.Select(c => $"{indent}# {c}").Concat(items.Select(i => $"{indent}- {i}")));
    }

    /// <summary>
    /// Turns an entry's empty flow value ("labels: {}" or "[]") into a block mapping of the given entries, one
    /// indentation step in from the key; what followed the value on its line (a comment) stays.
    /// </summary>
    public void ReplaceWithBlock(YamlEntry entry, IReadOnlyList<string> comments, IReadOnlyList<(string Key, string Value)> entries)
    {
        edits.Remove(entry.Key.End + 1, entry.Value.End);
        var indent = new string(' ', source.Column(entry.Key.Start) + IndentStep);
        InsertLines(source.NextLine(entry.Value.End),
            comments.Select(c => $"{indent}# {c}").Concat(entries.Select(e => $"{indent}{e.Key}:{Tail(e.Value)}")));
    }

    /// <summary>A nested block mapping as an entry's value: the lines of its entries, indented one step from column.</summary>
    public string Block(int column, IReadOnlyList<string> comments, IReadOnlyList<(string Key, string Value)> entries)
    {
        var indent = new string(' ', column);
        var lines = comments.Select(c => $"{indent}# {c}").Concat(entries.Select(e => $"{indent}{e.Key}:{Tail(e.Value)}"));
        return string.Concat(lines.Select(l => source.NewLine + l));
    }

    /// <summary>The column of a mapping's keys; for a mapping whose entries all go, one step in from its owner's key.</summary>
    public int KeyColumn(YamlMapping mapping, YamlNode ownerKey) =>
        mapping.Entries.Count > 0 ? source.Column(mapping.Entries[0].Key.Start) : source.Column(ownerKey.Start) + IndentStep;

    // A value either on the key's line (" value") or a nested block of lines (starting with a newline).
    private string Tail(string value) => value.StartsWith(source.NewLine, StringComparison.Ordinal) ? value : " " + value;

    private int AfterLastKept(YamlMapping mapping)
    {
        var kept = mapping.Entries.LastOrDefault(e => !_removed.Contains(e));
        return kept is null
            ? source.LeadingCommentsStart(mapping.Start) // every entry goes: where the first one was
            : source.NextLine(Math.Max(kept.Key.End, kept.Value.End));
    }

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

    private void InsertFlow(YamlNode collection, int items, IReadOnlyList<string> added)
    {
        var before = items + _addedToFlow.GetValueOrDefault(collection);
        edits.Insert(collection.End - 1, (before > 0 ? ", " : "") + string.Join(", ", added));
        _addedToFlow[collection] = _addedToFlow.GetValueOrDefault(collection) + added.Count;
    }

    // A block sequence item starts after its "- ", possibly on the line below the dash.
    private int DashOf(YamlNode item)
    {
        var at = item.Start - 1;
        while (at > 0 && source.Text[at] != '-')
        {
            at--;
        }

        return at;
    }

    // The comma after a flow item: past spaces, line ends and comments.
    private int SeparatorAfter(int offset)
    {
        var text = source.Text;
        var at = offset;
        while (at < text.Length && text[at] != ',')
        {
            at = text[at] == '#' ? source.NextLine(at) : at + 1;
        }

        return at;
    }
}
