namespace Relayguard.Contracts;

/// <summary>What a detector saw when it decided to block: counts against thresholds, at most 5 samples, and the decision's trace id.</summary>
public sealed record BlockEvidence
{
    public required string Summary { get; init; }

    public IReadOnlyDictionary<string, double> Counts { get; init; } = new Dictionary<string, double>();

    public IReadOnlyList<EvidenceSample> Samples { get; init; } = [];

    public string? TraceId { get; init; }
}
