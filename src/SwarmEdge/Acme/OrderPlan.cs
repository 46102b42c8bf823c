using System.Collections.Immutable;
using System.Globalization;

namespace SwarmEdge.Acme;

/// <summary>A host to order a certificate for now, and why.</summary>
internal sealed record DueOrder(string Host, string Reason);

/// <summary>
/// What the issuer orders, decided from what the swarm holds: a host without a valid certificate, or whose
/// certificate has less than RenewWhenLeft of its lifetime left; never a host whose last order failed until its
/// next attempt is due (so a restart, or a CA that keeps refusing, does not hammer the CA), and never a host
/// whose certificate is still inside its renewal margin.
/// </summary>
internal static class OrderPlan
{
    public static ImmutableArray<DueOrder> Due(
        IEnumerable<string> hosts,
        IReadOnlyDictionary<string, StoredCertificate> newest,
        IReadOnlyDictionary<string, FailurePayload> failures,
        DateTimeOffset now,
        double renewWhenLeft)
    {
        var due = ImmutableArray.CreateBuilder<DueOrder>();
        foreach (var host in hosts)
        {
            if (failures.TryGetValue(host, out var failure) && failure.NextAttempt > now)
            {
                continue;
            }

            if (!newest.TryGetValue(host, out var certificate))
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
        var wait = first * Math.Pow(2, Math.Min(failures - 1, 30));
        return now + (wait > max ? max : wait);
    }
}
