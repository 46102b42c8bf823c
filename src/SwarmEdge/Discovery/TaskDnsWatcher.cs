using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using DnsClient;
using Microsoft.Extensions.Options;
using SwarmEdge.Admin;

namespace SwarmEdge.Discovery;

/// <summary>
/// Re-resolves tasks.&lt;service&gt; for every routed service against Docker's DNS, a few times a second,
/// with caching off (Docker's 600 s TTL would hide every change). It tells the discovery loop what it saw
/// when that differs from what it last told: a new set of addresses, a failed lookup, a lookup that works
/// again. The loop drops tasks DNS no longer lists at once and re-reads the service's tasks.
/// </summary>
internal sealed partial class TaskDnsWatcher(
    ServicesToResolve services,
    DiscoverySignals signals,
    IOptions<SwarmEdgeOptions> options,
    ILogger<TaskDnsWatcher> logger) : BackgroundService
{
    // What the loop was last told per service name, in which generation of the name; only this watcher's rounds touch it.
    private readonly ConcurrentDictionary<string, (DnsAnswer Answer, long Generation)> _told = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var dns = options.Value.Dns;
        if (string.IsNullOrWhiteSpace(dns.Server))
        {
            Log.Disabled(logger);
            return;
        }

        var client = new LookupClient(new LookupClientOptions(ParseServer(dns.Server))
        {
            UseCache = false,
            Timeout = dns.Timeout,
            Retries = 0,
            ThrowDnsErrors = false,
            ContinueOnDnsError = false,
            ContinueOnEmptyResponse = false,
            UseTcpFallback = true,
        });

        Log.Started(logger, dns.Server, dns.Interval);
        using var timer = new PeriodicTimer(dns.Interval);
        do
        {
            var names = services.Names;
            foreach (var gone in _told.Keys.Where(n => !names.ContainsKey(n)).ToList())
            {
                _told.TryRemove(gone, out _);
            }

            await Parallel.ForEachAsync(
                names,
                new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = stoppingToken },
                async (name, ct) => await ResolveAsync(client, name.Key, name.Value, ct));
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task ResolveAsync(LookupClient client, string serviceName, long generation, CancellationToken ct)
    {
        var answer = await LookupAsync(client, serviceName, ct);
        SwarmEdgeMetrics.DnsLookups.WithLabels(answer.Succeeded ? "ok" : "failed").Inc();
        var told = _told.TryGetValue(serviceName, out var last) && last.Generation == generation ? last.Answer : null;
        if (!answer.Succeeded)
        {
            SwarmEdgeMetrics.DiscoveryErrors.WithLabels("dns").Inc();
            if (told is { Succeeded: false })
            {
                return;
            }

            Log.LookupFailed(logger, serviceName, answer.Error!);
            _told[serviceName] = (answer, generation);
            signals.Send(new DiscoverySignal(DiscoverySignalKind.DnsAnswered, serviceName, $"tasks.{serviceName} failed: {answer.Error}", answer));
            return;
        }

        if (told is { Succeeded: false })
        {
            Log.LookupRecovered(logger, serviceName);
        }
        else if (told is not null && told.Addresses.SetEquals(answer.Addresses))
        {
            return;
        }

        _told[serviceName] = (answer, generation);
        signals.Send(new DiscoverySignal(DiscoverySignalKind.DnsAnswered, serviceName,
            $"tasks.{serviceName} has {answer.Addresses.Count} addresses", answer));
    }

    internal static async Task<DnsAnswer> LookupAsync(ILookupClient client, string serviceName, CancellationToken ct)
    {
        try
        {
            var response = await client.QueryAsync($"tasks.{serviceName}", QueryType.A, QueryClass.IN, ct);
            if (response.HasError && response.Header.ResponseCode != DnsHeaderResponseCode.NotExistentDomain)
            {
                return DnsAnswer.Failed(response.ErrorMessage);
            }

            // NXDOMAIN: no healthy task is registered, which is an answer, not a failure.
            return new DnsAnswer(true, response.Answers.ARecords().Select(a => a.Address).ToImmutableHashSet(), null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return DnsAnswer.Failed(e.Message);
        }
    }

    /// <summary>"127.0.0.11" or "127.0.0.11:53"; the options validator has checked the form at start.</summary>
    internal static IPEndPoint ParseServer(string server)
    {
        var endpoint = IPEndPoint.Parse(server);
        return endpoint.Port == 0 ? new IPEndPoint(endpoint.Address, 53) : endpoint;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 200, Level = LogLevel.Information,
            Message = "DNS source off (SwarmEdge:Dns:Server is empty): endpoints come from the Docker API only")]
        public static partial void Disabled(ILogger logger);

        [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Resolving tasks.<service> on {Server} every {Interval}")]
        public static partial void Started(ILogger logger, string server, TimeSpan interval);

        [LoggerMessage(EventId = 202, Level = LogLevel.Warning,
            Message = "DNS lookup of tasks.{Service} failed: {Error}; keeping its last good answer")]
        public static partial void LookupFailed(ILogger logger, string service, string error);

        [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "DNS lookup of tasks.{Service} works again")]
        public static partial void LookupRecovered(ILogger logger, string service);
    }
}
