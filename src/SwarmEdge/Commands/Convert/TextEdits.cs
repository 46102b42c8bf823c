namespace SwarmEdge.Commands.Convert;

/// <summary>
/// Replacements of spans of a text, applied together at the end so that every offset refers to the original.
/// Insertions at one offset keep the order they were made in; a removal that ends where an insertion is
/// made leaves the insertion alone. Overlapping removals are a bug in the caller.
/// </summary>
internal sealed class TextEdits
{
    private readonly List<(int Start, int Length, string Text, int Order)> _edits = [];

    public bool IsEmpty => _edits.Count == 0;

    public void Insert(int at, string text) => _edits.Add((at, 0, text, _edits.Count));

    public void Remove(int start, int end) => _edits.Add((start, end - start, "", _edits.Count));

    public void Replace(int start, int end, string text) => _edits.Add((start, end - start, text, _edits.Count));

    public string ApplyTo(string text)
    {
        foreach (var insertion in _edits.Where(e => e.Length == 0))
        {
            if (_edits.Any(r => r.Length > 0 && r.Start < insertion.Start && insertion.Start < r.Start + r.Length))
            {
                throw new InvalidOperationException($"an insertion at {insertion.Start} falls inside a removal");
            }
        }

        var result = new System.Text.StringBuilder(text);
        // From the end, so earlier offsets stay valid; at one offset the removal first, then the insertions
        // from the last made to the first, each in front of the one after it.
        foreach (var edit in _edits.OrderByDescending(e => e.Start).ThenByDescending(e => e.Length).ThenByDescending(e => e.Order))
        {
            result.Remove(edit.Start, edit.Length).Insert(edit.Start, edit.Text);
        }

        return result.ToString();
    }
}
