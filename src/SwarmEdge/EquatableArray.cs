using System.Collections;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace SwarmEdge;

/// <summary>
/// An immutable array compared by its items, for records: a record with an ImmutableArray compares it by
/// reference, and change detection (a rebuilt catalog equal to the last one applies nothing) needs values.
/// The default value is the empty array.
/// </summary>
[CollectionBuilder(typeof(EquatableArray), nameof(EquatableArray.Create))]
[JsonConverter(typeof(EquatableArrayJsonConverter))]
internal readonly struct EquatableArray<T>(ImmutableArray<T> items) : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
{
    private readonly ImmutableArray<T> _items = items;

    public static EquatableArray<T> Empty => default;

    private ImmutableArray<T> Items => _items.IsDefault ? [] : _items;

    public int Length => Items.Length;

    int IReadOnlyCollection<T>.Count => Length;

    public bool IsEmpty => Length == 0;

    public T this[int index] => Items[index];

    public static implicit operator EquatableArray<T>(ImmutableArray<T> items) => new(items);

    public static implicit operator ImmutableArray<T>(EquatableArray<T> array) => array.Items;

    public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

    public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);

    public bool Equals(EquatableArray<T> other) => Items.AsSpan().SequenceEqual(other.Items.AsSpan(), EqualityComparer<T>.Default);

    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in Items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    public ImmutableArray<T>.Enumerator GetEnumerator() => Items.GetEnumerator();

    IEnumerator<T> IEnumerable<T>.GetEnumerator() => ((IEnumerable<T>)Items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable)Items).GetEnumerator();

    public override string ToString() => $"[{string.Join(", ", Items)}]";
}

internal static class EquatableArray
{
    public static EquatableArray<T> Create<T>(ReadOnlySpan<T> items) => new(ImmutableArray.Create(items));

    public static EquatableArray<T> ToEquatableArray<T>(this IEnumerable<T> items) => new([.. items]);
}

/// <summary>A JSON array, as an ImmutableArray is (route metadata carries middleware definitions as JSON).</summary>
internal sealed class EquatableArrayJsonConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(EquatableArray<>);

    // Native AOT makes no generic type at run time, so each item type that route metadata carries is named here
    // (the same code runs under the JIT in the tests, so a type missing here fails there too).
    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options)
    {
        var item = typeToConvert.GetGenericArguments()[0];
        return item == typeof(string) ? new Converter<string>()
            : item == typeof(Catalog.HeaderChange) ? new Converter<Catalog.HeaderChange>()
            : throw new NotSupportedException($"no JSON converter for EquatableArray<{item.Name}> (add it to EquatableArrayJsonConverter)");
    }

    private sealed class Converter<T> : JsonConverter<EquatableArray<T>>
    {
        public override EquatableArray<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            new(JsonSerializer.Deserialize(ref reader, Items(options)));

        public override void Write(Utf8JsonWriter writer, EquatableArray<T> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, (ImmutableArray<T>)value, Items(options));

        // The options' resolver (source-generated under Native AOT) must know ImmutableArray<T>.
        private static JsonTypeInfo<ImmutableArray<T>> Items(JsonSerializerOptions options) =>
            (JsonTypeInfo<ImmutableArray<T>>)options.GetTypeInfo(typeof(ImmutableArray<T>));
    }
}
