using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace SwarmEdge.Acme;

/// <summary>A certificate as stored: its host, the PEM chain (leaf first) and the PEM private key.</summary>
internal sealed record CertificatePayload(string Host, string Chain, string Key);

/// <summary>An order in progress: who holds the lock since when (for the log of whoever finds it).</summary>
internal sealed record OrderPayload(string Host, string Issuer, DateTimeOffset Started);

/// <summary>The last failed order for a host: how many failed in a row and when the next may be placed.</summary>
internal sealed record FailurePayload(string Host, string Error, int Failures, DateTimeOffset At, DateTimeOffset NextAttempt);

/// <summary>A renewal an operator asked for, and when.</summary>
internal sealed record RenewalPayload(string Host, DateTimeOffset Requested);

/// <summary>The ACME client's account files (its key and registration), by path under its accounts directory.</summary>
internal sealed record AccountPayload(Dictionary<string, string> Files);

/// <summary>Payloads sealed and opened as JSON under the storage key, bound to their kind and host.</summary>
internal static class AcmePayloads
{
    private static JsonTypeInfo<T> TypeInfo<T>() =>
        (JsonTypeInfo<T>)SwarmEdgeJsonContext.Default.GetTypeInfo(typeof(T))!;

    public static byte[] Seal<T>(StorageKey key, AcmeConfigKind kind, string host, string name, T payload) =>
        key.Seal(AcmeConfigNames.Purpose(kind, host, name), JsonSerializer.SerializeToUtf8Bytes(payload, TypeInfo<T>()));

    /// <summary>The payload, or null when the config was not sealed by SwarmEdge with this key for its label's kind and host and its name.</summary>
    public static T? Open<T>(StorageKey key, AcmeConfig config)
        where T : class
    {
        var plaintext = key.Open(AcmeConfigNames.Purpose(config.Kind, config.Host, config.Name), config.Data);
        if (plaintext is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(plaintext, TypeInfo<T>());
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
