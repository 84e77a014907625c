namespace Relayguard.Contracts;

/// <summary>
/// An early warning: in one window, an account's invalid recipients and their share both reached a configured part
/// (<see cref="WarnAt"/>) of the thresholds of <see cref="Code"/>, but not the thresholds themselves. The detector
/// stores one warning per account and window, and a retried publication repeats its event id. Carries counts only,
/// no recipient address.
/// </summary>
public sealed record AccountWarned
{
    public required Guid EventId { get; init; }

    public required string Account { get; init; }

    /// <summary>The rule whose thresholds are near, such as CA1.</summary>
    public required string Code { get; init; }

    public required DateTimeOffset WindowStart { get; init; }

    public required DateTimeOffset WindowEnd { get; init; }

    public required int InvalidRecipients { get; init; }

    public required int DistinctRecipients { get; init; }

    /// <summary>Invalid among distinct recipients, from 0 to 1.</summary>
    public required double InvalidShare { get; init; }

    public required int MinInvalidRecipients { get; init; }

    public required double MinInvalidShare { get; init; }

    /// <summary>The part of each threshold that triggers the warning, from 0 to 1, such as 0.8.</summary>
    public required double WarnAt { get; init; }

    public required DateTimeOffset WarnedAt { get; init; }

    public string? TraceId { get; init; }
}
