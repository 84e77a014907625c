namespace Relayguard.Operations.Allowlist;

/// <summary>An allowlist entry an operator adds, already validated and normalised.</summary>
public sealed record NewAllowlistEntry
{
    public required string Kind { get; init; }

    public required string Subject { get; init; }

    /// <summary>The rule to exempt from, or null for every rule.</summary>
    public string? Code { get; init; }

    public required string Reason { get; init; }

    /// <summary>How long the entry lasts. Null keeps it until an operator removes it.</summary>
    public TimeSpan? Duration { get; init; }
}
