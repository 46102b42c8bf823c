using System.Collections.Immutable;
using System.Globalization;

namespace SwarmEdge.Acme;

/// <summary>A host to order a certificate for now, and why.</summary>
internal sealed record DueOrder(string Host, string Reason);

/// <summary>
/// What the issuer orders, decided from what the swarm holds: a host without a certificate (valid now or soon),
/// or whose most recently issued certificate has less than RenewWhenLeft of its lifetime left; never a host whose last order failed until its
/// next attempt is due (so a restart, or a CA that keeps refusing, does not hammer the CA), and never a host
/// whose certificate is still inside its renewal margin. An operator's renewal request (swarmedge acme renew)
/// makes a routed host due at once, whatever its certificate and its failures.
/// </summary>
internal static class OrderPlan
{
    public static ImmutableArray<DueOrder> Due(
        IEnumerable<string> hosts,
        IReadOnlyDictionary<string, StoredCertificate> latest,
        IReadOnlyDictionary<string, FailurePayload> failures,
        DateTimeOffset now,
        double renewWhenLeft,
        IReadOnlySet<string>? requested = null)
    {
        var due = ImmutableArray.CreateBuilder<DueOrder>();
        foreach (var host in hosts)
        {
            if (requested?.Contains(host) == true)
            {
                due.Add(new DueOrder(host, "renewal requested"));
                continue;
            }

            if (failures.TryGetValue(host, out var failure) && failure.NextAttempt > now)
            {
                continue;
            }

            if (!latest.TryGetValue(host, out var certificate))
            {
                due.Add(new DueOrder(host, "no certificate"));
                continue;
            }

            var lifetime = certificate.NotAfter - certificate.NotBefore;
            var left = certificate.NotAfter - now;
            if (left < lifetime * renewWhenLeft)
            {
                due.Add(new DueOrder(host, string.Create(CultureInfo.InvariantCulture,
                    $"renewal: {left.TotalHours:0.#} h left of {lifetime.TotalHours:0.#} h")));
            }
        }

        return due.ToImmutable();
    }

    /// <summary>When an order may be placed again after failures in a row: the first wait doubled per failure, at most max.</summary>
    public static DateTimeOffset NextAttempt(int failures, DateTimeOffset now, TimeSpan first, TimeSpan max)
    {
        // In ticks, compared before it can overflow: 2^30 times a quarter of an hour is past TimeSpan.MaxValue.
        var wait = first.Ticks;
        for (var i = 1; i < failures && wait < max.Ticks; i++)
        {
            wait *= 2;
        }

        return now + TimeSpan.FromTicks(Math.Min(wait, max.Ticks));
    }
}
