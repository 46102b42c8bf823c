using System.Security.Cryptography;
using System.Text;
using SwarmEdge.Acme;

namespace SwarmEdge.Tests.Acme;

public class StorageKeyTests
{
    private static readonly StorageKey Key = new(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void What_is_sealed_opens_with_the_same_key_and_purpose_only()
    {
        var sealedData = Key.Seal("swarmedge-acme/certificate/shop.test", "secret key"u8);

        Assert.Equal("secret key", Encoding.UTF8.GetString(Key.Open("swarmedge-acme/certificate/shop.test", sealedData)!));
        Assert.Null(new StorageKey(RandomNumberGenerator.GetBytes(32)).Open("swarmedge-acme/certificate/shop.test", sealedData));
        Assert.Null(Key.Open("swarmedge-acme/certificate/evil.test", sealedData));
        Assert.Null(Key.Open("swarmedge-acme/account/", sealedData));
        Assert.DoesNotContain("secret key", Encoding.UTF8.GetString(sealedData));
    }

    [Fact]
    public void A_changed_byte_anywhere_or_a_truncated_config_does_not_open()
    {
        var sealedData = Key.Seal("p", "certificate and key"u8);
        for (var i = 0; i < sealedData.Length; i++)
        {
            var altered = (byte[])sealedData.Clone();
            altered[i] ^= 0x01;
            Assert.Null(Key.Open("p", altered));
        }

        Assert.Null(Key.Open("p", sealedData.AsSpan(0, 20)));
        Assert.Null(Key.Open("p", []));
    }

    [Fact]
    public void Two_seals_of_the_same_data_differ()
    {
        Assert.NotEqual(Key.Seal("p", "same"u8), Key.Seal("p", "same"u8));
    }

    [Theory]
    [InlineData("", "does not hold 64 hex digits")]
    [InlineData("00112233", "does not hold 64 hex digits")]
    [InlineData("zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", "does not hold 64 hex digits")]
    public void A_key_file_that_is_not_64_hex_digits_is_refused_with_how_to_make_one(string content, string expected)
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, content);
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => StorageKey.Read(file));
            Assert.Contains(expected, error.Message);
            Assert.Contains("openssl rand -hex 32", error.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_key_file_of_64_hex_digits_with_a_newline_is_read()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) + "\n");
        try
        {
            var key = StorageKey.Read(file);
            Assert.NotNull(key.Open("p", key.Seal("p", "x"u8)));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_missing_key_file_names_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StorageKey.Read("/nonexistent/swarmedge_acme_key"));
        Assert.Contains("SwarmEdge:Acme:StorageKeyFile /nonexistent/swarmedge_acme_key cannot be read", error.Message);
    }
}
