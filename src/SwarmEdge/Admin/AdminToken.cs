using System.Security.Cryptography;
using System.Text;

namespace SwarmEdge.Admin;

/// <summary>
/// The admin API's bearer token, read once from SwarmEdge:Admin:TokenFile (a Docker secret is a file, and
/// rotating a secret replaces the task). Without a token file the admin API only listens on loopback.
/// </summary>
internal sealed class AdminToken
{
    /// <summary>Shorter tokens are refused: the admin API may face every container on the edge's networks.</summary>
    public const int MinimumLength = 16;

    // Compared as SHA-256 digests in constant time, so neither the length nor a prefix of the token leaks.
    private readonly byte[]? _digest;

    private AdminToken(byte[]? digest) => _digest = digest;

    public static readonly AdminToken None = new(null);

    public bool Required => _digest is not null;

    /// <summary>The token in the file (surrounding white space ignored); throws with the reason when it is unusable.</summary>
    public static AdminToken FromFile(string path)
    {
        string token;
        try
        {
            token = File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"SwarmEdge:Admin:TokenFile \"{path}\" cannot be read: {ex.Message}", ex);
        }

        if (token.Length < MinimumLength || token.Any(char.IsWhiteSpace))
        {
            throw new InvalidOperationException(
                $"SwarmEdge:Admin:TokenFile \"{path}\" must hold one token of at least {MinimumLength} characters without spaces");
        }

        return FromValue(token);
    }

    public static AdminToken FromValue(string token) => new(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Whether an Authorization header value carries this token ("Bearer &lt;token&gt;").</summary>
    public bool Accepts(string? authorization)
    {
        if (_digest is null)
        {
            return true;
        }

        const string scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var offered = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(offered, _digest);
    }
}
