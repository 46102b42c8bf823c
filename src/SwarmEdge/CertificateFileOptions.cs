namespace SwarmEdge;

internal sealed class CertificateFileOptions
{
    /// <summary>PEM chain: the leaf first, then intermediates.</summary>
    public string Certificate { get; set; } = "";

    /// <summary>PEM private key; empty when the certificate file holds it.</summary>
    public string Key { get; set; } = "";
}
