using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace SwarmEdge.Acme;

/// <summary>
/// Orders one certificate with lego (Debian's ACME client, RFC 8555): HTTP-01 on SwarmEdge:Acme:ChallengePort,
/// which the edges forward the CA's requests to; DNS-01 through lego's DNS provider for a wildcard. lego keeps its account under WorkDirectory/accounts, which the
/// issuer stores in the swarm and puts back after a restart. Always `run`, never `renew`: the issuer decides what
/// is due (lego's renew would order whenever asked), and a run with a known account places one order.
/// </summary>
internal sealed partial class LegoClient(IOptions<SwarmEdgeOptions> options, ILogger<LegoClient> logger)
{
    private readonly AcmeOptions _acme = options.Value.Acme;

    public string AccountsDirectory => Path.Combine(_acme.WorkDirectory, "accounts");

    /// <summary>Wildcards are proven in DNS (DNS-01); every other host on the edges' port 80 (HTTP-01).</summary>
    public static bool UsesDns01(string host) => host.StartsWith("*.", StringComparison.Ordinal);

    /// <summary>The chain and key, or lego's error (the last lines it wrote).</summary>
    public async Task<(CertificatePayload? Certificate, string? Error)> OrderAsync(string host, CancellationToken ct)
    {
        var info = new ProcessStartInfo(_acme.Lego) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in Arguments(host))
        {
            info.ArgumentList.Add(arg);
        }

        if (_acme.CaCertificates.Length > 0)
        {
            info.Environment["LEGO_CA_CERTIFICATES"] = _acme.CaCertificates;
        }

        var lines = new Queue<string>();
        void Keep(string? line)
        {
            if (line is null)
            {
                return;
            }

            Log.Said(logger, line);
            lock (lines)
            {
                lines.Enqueue(line);
                if (lines.Count > 5)
                {
                    lines.Dequeue();
                }
            }
        }

        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (null, $"cannot run {_acme.Lego}: {ex.Message}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_acme.OrderTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            ct.ThrowIfCancellationRequested();
            return (null, $"lego did not finish within {_acme.OrderTimeout}");
        }

        // lego names a wildcard's files with '_' for '*'.
        var fileName = host.Replace('*', '_');
        var crt = Path.Combine(_acme.WorkDirectory, "certificates", fileName + ".crt");
        var key = Path.Combine(_acme.WorkDirectory, "certificates", fileName + ".key");
        if (process.ExitCode != 0 || !File.Exists(crt) || !File.Exists(key))
        {
            string said;
            lock (lines)
            {
                said = string.Join(" | ", lines);
            }

            if (said.Contains("accountDoesNotExist", StringComparison.Ordinal) && Directory.Exists(AccountsDirectory))
            {
                // The CA forgot the account (a test CA restarted): register anew next time.
                Directory.Delete(AccountsDirectory, recursive: true);
            }

            return (null, $"lego exited with {process.ExitCode}: {said}");
        }

        try
        {
            return (new CertificatePayload(host, await File.ReadAllTextAsync(crt, ct), await File.ReadAllTextAsync(key, ct)), null);
        }
        finally
        {
            // The key lives on in the swarm, sealed; not here.
            foreach (var file in Directory.EnumerateFiles(Path.Combine(_acme.WorkDirectory, "certificates")))
            {
                File.Delete(file);
            }
        }
    }

    internal List<string> Arguments(string host)
    {
        List<string> args = ["--accept-tos", "--email", _acme.Email, "--server", _acme.DirectoryUrl, "--path", _acme.WorkDirectory, "--key-type", _acme.KeyType];
        if (UsesDns01(host))
        {
            args.AddRange(["--dns", _acme.DnsProvider]);
            if (_acme.DnsResolvers.Length > 0)
            {
                args.AddRange(["--dns.resolvers", _acme.DnsResolvers]);
            }

            if (!_acme.DnsPropagationCheck)
            {
                args.Add("--dns.disable-cp");
            }
        }
        else
        {
            args.AddRange(["--http", "--http.port", $":{_acme.ChallengePort}"]);
        }

        args.AddRange(["--domains", host, "run"]);
        return args;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 920, Level = LogLevel.Debug, Message = "lego: {Line}")]
        public static partial void Said(ILogger logger, string line);
    }
}
