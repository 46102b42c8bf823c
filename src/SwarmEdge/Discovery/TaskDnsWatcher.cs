using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using DnsClient;
using Microsoft.Extensions.Options;
using SwarmEdge.Admin;

namespace SwarmEdge.Discovery;

/// <summary>
/// Re-resolves tasks.&lt;service&gt; for every routed service against Docker's DNS, a few times a second,
/// with caching off (Docker's 600 s TTL would hide every change). When an answer changes it tells the
/// discovery loop, which drops tasks DNS no longer lists at once and re-reads the service's tasks.
/// A failed lookup keeps the last good answer: DNS trouble never removes an endpoint.
/// </summary>
internal sealed partial class TaskDnsWatcher(
    EdgeStatus status,
    DiscoverySignals signals,
    IOptions<SwarmEdgeOptions> options,
    ILogger<TaskDnsWatcher> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, DnsAnswer> _answers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _failures = new(StringComparer.Ordinal);

    /// <summary>The latest answer per service name (the last good one when the latest lookup failed).</summary>
    public ImmutableDictionary<string, DnsAnswer> Answers => _answers.ToImmutableDictionary(StringComparer.Ordinal);

    /// <summary>Services whose latest lookup failed, with the error.</summary>
    public ImmutableDictionary<string, string> Failures => _failures.ToImmutableDictionary(StringComparer.Ordinal);

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
            var names = status.Current.Catalog.Services.Where(s => s.IsRouted).Select(s => s.Name).ToList();
            foreach (var gone in _answers.Keys.Except(names).ToList())
            {
                _answers.TryRemove(gone, out _);
                _failures.TryRemove(gone, out _);
            }

            await Parallel.ForEachAsync(
                names,
                new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = stoppingToken },
                async (name, ct) => await ResolveAsync(client, name, ct));
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task ResolveAsync(LookupClient client, string serviceName, CancellationToken ct)
    {
        var answer = await LookupAsync(client, serviceName, ct);
        if (!answer.Succeeded)
        {
            SwarmEdgeMetrics.DnsLookups.WithLabels("failed").Inc();
            SwarmEdgeMetrics.DiscoveryErrors.WithLabels("dns").Inc();
            if (_failures.TryAdd(serviceName, answer.Error!))
            {
                Log.LookupFailed(logger, serviceName, answer.Error!);
            }

            _answers.TryAdd(serviceName, answer);
            return;
        }

        SwarmEdgeMetrics.DnsLookups.WithLabels("ok").Inc();
        if (_failures.TryRemove(serviceName, out _))
        {
            Log.LookupRecovered(logger, serviceName);
        }

        var previous = _answers.TryGetValue(serviceName, out var p) ? p : null;
        _answers[serviceName] = answer;
        if (previous is null || !previous.Succeeded || !previous.Addresses.SetEquals(answer.Addresses))
        {
            signals.Send(new DiscoverySignal(DiscoverySignalKind.DnsChanged, serviceName,
                $"tasks.{serviceName} now has {answer.Addresses.Count} addresses"));
        }
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
