using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SwarmEdge.Acme;

/// <summary>
/// How SwarmEdge names and labels its configs. Docker config names are at most 64 characters and host names up
/// to 253, so a name carries a hash of the host; the host itself is in the swarmedge.acme.host label and, sealed,
/// in the data. A certificate or failure name ends with its time, so a new one never collides with the one it
/// replaces; an order or account name has no time: creating it a second time fails, which is the lock.
/// </summary>
internal static class AcmeConfigNames
{
    public const string Prefix = "swarmedge-acme-";
    public const string KindLabel = "swarmedge.acme";
    public const string HostLabel = "swarmedge.acme.host";

    public static string Certificate(string host, DateTimeOffset now) => $"{Prefix}certificate-{Hash(host)}-{Stamp(now)}";

    public static string Failure(string host, DateTimeOffset now) => $"{Prefix}failure-{Hash(host)}-{Stamp(now)}";

    public static string Order(string host) => $"{Prefix}order-{Hash(host)}";

    public static string Account(string directoryUrl, string email) => $"{Prefix}account-{Hash(directoryUrl + "\n" + email)}";

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

    /// <summary>What a config's data is sealed for: its kind and host, so that it cannot be passed off as another.</summary>
    public static string Purpose(AcmeConfigKind kind, string host) => $"swarmedge-acme/{LabelValue(kind)}/{host}";

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..16];

    private static string Stamp(DateTimeOffset now) => now.UtcDateTime.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
}
