using System.Collections;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace SwarmEdge;

/// <summary>
/// An immutable dictionary compared by its entries, for records (see EquatableArray). The default value is the
/// empty dictionary.
/// </summary>
internal readonly struct EquatableDictionary<TKey, TValue>(ImmutableDictionary<TKey, TValue> entries)
    : IEquatable<EquatableDictionary<TKey, TValue>>, IReadOnlyDictionary<TKey, TValue>
    where TKey : notnull
{
    private readonly ImmutableDictionary<TKey, TValue>? _entries = entries;

    private ImmutableDictionary<TKey, TValue> Entries => _entries ?? ImmutableDictionary<TKey, TValue>.Empty;

    public int Count => Entries.Count;

    public bool IsEmpty => Entries.IsEmpty;

    public IEnumerable<TKey> Keys => Entries.Keys;

    public IEnumerable<TValue> Values => Entries.Values;

    public TValue this[TKey key] => Entries[key];

    public static implicit operator EquatableDictionary<TKey, TValue>(ImmutableDictionary<TKey, TValue> entries) => new(entries);

    public static implicit operator ImmutableDictionary<TKey, TValue>(EquatableDictionary<TKey, TValue> dictionary) => dictionary.Entries;

    public static bool operator ==(EquatableDictionary<TKey, TValue> left, EquatableDictionary<TKey, TValue> right) => left.Equals(right);

    public static bool operator !=(EquatableDictionary<TKey, TValue> left, EquatableDictionary<TKey, TValue> right) => !left.Equals(right);

    public EquatableDictionary<TKey, TValue> SetItem(TKey key, TValue value) => Entries.SetItem(key, value);

    public bool ContainsKey(TKey key) => Entries.ContainsKey(key);

    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value) => Entries.TryGetValue(key, out value);

    public bool Equals(EquatableDictionary<TKey, TValue> other)
    {
        // Compared on every rebuild for every service and task (see CatalogInputs): no LINQ, no boxed enumerator.
        var (mine, theirs) = (Entries, other.Entries);
        if (ReferenceEquals(mine, theirs))
        {
            return true;
        }

        if (mine.Count != theirs.Count)
        {
            return false;
        }

        foreach (var (key, value) in mine)
        {
            if (!theirs.TryGetValue(key, out var their) || !EqualityComparer<TValue>.Default.Equals(value, their))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is EquatableDictionary<TKey, TValue> other && Equals(other);

    // Order-independent, as the equality is.
    public override int GetHashCode() => Entries.Aggregate(Count, (hash, e) => hash ^ HashCode.Combine(e.Key, e.Value));

    public IEnumerator<KeyValuePair<TKey, TValue>> GetEnumerator() => Entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
