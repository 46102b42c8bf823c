using System.Collections.Immutable;

namespace SwarmEdge.Catalog;

/// <summary>
/// The outcome of reading a service's labels. Routing is null when Errors is not empty: a service with a
/// broken label is never half-routed.
/// </summary>
internal sealed record LabelParseResult(
    bool Enabled,
    ServiceRouting? Routing,
    ImmutableArray<string> Errors,
    ImmutableArray<string> Warnings);
