using System.Security.Cryptography;

namespace SwarmEdge.Acme;

/// <summary>
/// Seals and opens what SwarmEdge keeps in the swarm's configs (certificates, their keys, the ACME account):
/// AES-256-GCM under the key in SwarmEdge:Acme:StorageKeyFile. Configs are readable by anyone with the Docker API
/// and by every service given them, so only the edges and the issuer, which mount the key's secret, can read a
/// private key; and since GCM authenticates, a config that someone else labels like ours cannot be opened as ours.
/// The kind (certificate, account...) and the host are bound in as associated data: a sealed account cannot pass
/// as a certificate, nor one host's certificate as another's.
/// Layout: version (1) | nonce (12) | tag (16) | ciphertext.
/// </summary>
internal sealed class StorageKey
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;
    private readonly byte[] _nameKey;

    public StorageKey(byte[] key)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException($"the storage key is {key.Length} bytes, not 32", nameof(key));
        }

        _key = key;
        _nameKey = HMACSHA256.HashData(key, "swarmedge-acme/names"u8);
    }

    /// <summary>
    /// What a config name carries instead of its host: a keyed hash, so that nobody without the key can compute the
    /// name of a host's order lock or of the account and create it first (which would hold the issuer off).
    /// </summary>
    public string NameTag(string value) => Convert.ToHexStringLower(HMACSHA256.HashData(_nameKey, System.Text.Encoding.UTF8.GetBytes(value)))[..16];

    /// <summary>Reads the key file: 64 hex digits (openssl rand -hex 32), surrounding white space ignored.</summary>
    public static StorageKey Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"SwarmEdge:Acme:StorageKeyFile {path} cannot be read: {ex.Message}", ex);
        }

        if (text.Length != 64 || !text.All(Uri.IsHexDigit))
        {
            throw new InvalidOperationException(
                $"SwarmEdge:Acme:StorageKeyFile {path} does not hold 64 hex digits (make one with: openssl rand -hex 32)");
        }

        return new StorageKey(Convert.FromHexString(text));
    }

    public byte[] Seal(string purpose, ReadOnlySpan<byte> plaintext)
    {
        var sealedData = new byte[1 + NonceSize + TagSize + plaintext.Length];
        sealedData[0] = Version;
        var nonce = sealedData.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, sealedData.AsSpan(1 + NonceSize + TagSize), sealedData.AsSpan(1 + NonceSize, TagSize),
            System.Text.Encoding.UTF8.GetBytes(purpose));
        return sealedData;
    }

    /// <summary>The plaintext, or null when the data was not sealed with this key for this purpose (or was altered).</summary>
    public byte[]? Open(string purpose, ReadOnlySpan<byte> sealedData)
    {
        if (sealedData.Length < 1 + NonceSize + TagSize || sealedData[0] != Version)
        {
            return null;
        }

        var plaintext = new byte[sealedData.Length - 1 - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        try
        {
            aes.Decrypt(sealedData.Slice(1, NonceSize), sealedData[(1 + NonceSize + TagSize)..], sealedData.Slice(1 + NonceSize, TagSize), plaintext,
                System.Text.Encoding.UTF8.GetBytes(purpose));
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }
}
