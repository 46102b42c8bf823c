using System.Globalization;

namespace SwarmEdge.Acme;

/// <summary>
/// How SwarmEdge names and labels its configs. Docker config names are at most 64 characters and host names up
/// to 253, so a name carries a keyed hash of the host (StorageKey.NameTag: only the edges and the issuer can
/// compute it); the host itself is in the swarmedge.acme.host label and, sealed, in the data. A certificate or
/// failure name ends with its time, so a new one never collides with the one it replaces; an order, renewal or
/// account name has no time: creating it a second time fails, which is the lock. The name is sealed in with the
/// data: a copy of one of our configs under another name does not open.
/// </summary>
internal static class AcmeConfigNames
{
    public const string Prefix = "swarmedge-acme-";
    public const string KindLabel = "swarmedge.acme";
    public const string HostLabel = "swarmedge.acme.host";

    public static string Certificate(StorageKey key, string host, DateTimeOffset now) => $"{Prefix}certificate-{key.NameTag(host)}-{Stamp(now)}";

    public static string Failure(StorageKey key, string host, DateTimeOffset now) => $"{Prefix}failure-{key.NameTag(host)}-{Stamp(now)}";

    public static string Order(StorageKey key, string host) => $"{Prefix}order-{key.NameTag(host)}";

    public static string Renewal(StorageKey key, string host) => $"{Prefix}renewal-{key.NameTag(host)}";

    public static string Account(StorageKey key, string directoryUrl, string email) => $"{Prefix}account-{key.NameTag(directoryUrl + "\n" + email)}";

    public static string LabelValue(AcmeConfigKind kind) => kind.ToString().ToLowerInvariant();

    public static bool TryParseKind(string? value, out AcmeConfigKind kind)
    {
        foreach (var candidate in Enum.GetValues<AcmeConfigKind>())
        {
            if (LabelValue(candidate) == value)
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }

    /// <summary>What a config's data is sealed for: its kind, host and name, so that it cannot be passed off as another.</summary>
    public static string Purpose(AcmeConfigKind kind, string host, string name) => $"swarmedge-acme/{LabelValue(kind)}/{host}/{name}";

    private static string Stamp(DateTimeOffset now) => now.UtcDateTime.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
}
