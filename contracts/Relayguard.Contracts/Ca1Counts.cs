namespace Relayguard.Contracts;

/// <summary>An account's CA1 counts per window, oldest first, with the thresholds they are measured against.</summary>
public sealed record Ca1Counts
{
    public required string Account { get; init; }

    public required double WindowSeconds { get; init; }

    public required int MinInvalidRecipients { get; init; }

    public required double MinInvalidShare { get; init; }

    /// <summary>The part of the thresholds that triggers an <see cref="AccountWarned"/>, or 0 when warnings are off.</summary>
    public required double WarnAt { get; init; }

    public required IReadOnlyList<Ca1WindowCount> Windows { get; init; }
}
