namespace SwarmEdge.Catalog;

/// <summary>
/// Retries that differ from the configured defaults. Methods is a normalised list ("GET,HEAD,PUT").
/// </summary>
internal sealed record RetrySettings(int? Attempts, string? Methods);
