using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace SwarmEdge.Proxy;

/// <summary>
/// How a task's TLS certificate is checked (swarmedge.http.protocol=https). Tasks are reached by their IP
/// address, which their certificates do not name, so the name is not checked; the chain is: against the
/// system's roots, or against SwarmEdge:Proxy:TaskCaFile (a PEM bundle of the CAs that sign the tasks').
/// </summary>
internal static class TaskCertificates
{
    public static RemoteCertificateValidationCallback Validator(string caFile)
    {
        X509Certificate2Collection? authorities = null;
        if (caFile.Length > 0)
        {
            authorities = [];
            authorities.ImportFromPemFile(caFile);
        }

        return (_, certificate, _, errors) =>
        {
            if (certificate is null)
            {
                return false;
            }

            errors &= ~SslPolicyErrors.RemoteCertificateNameMismatch;
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            if (authorities is null || errors != SslPolicyErrors.RemoteCertificateChainErrors)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            using var presented = new X509Certificate2(certificate);
            return chain.Build(presented);
        };
    }
}
