using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Bo1;

/// <summary>
/// Settings of BO1 escalation, which blocks null-sender submissions from an account or client address that keeps
/// sending bounce messages. Durations are strings such as <c>1h</c> or <c>24h</c>, and
/// <see cref="Bo1OptionsValidator"/> checks them at start.
/// </summary>
public sealed class Bo1Options
{
    public const string SectionName = "Rules:BO1";

    /// <summary>The key <see cref="SharedRanges"/> is read from, so that CA2 and BO1 agree on the shared ranges.</summary>
    public const string SharedRangesKey = "Rules:CA2:SharedRanges";

    /// <summary>The shared ranges used when <see cref="SharedRangesKey"/> is not configured: the carrier-grade NAT range.</summary>
    public static readonly IReadOnlyList<string> DefaultSharedRanges = ["100.64.0.0/10"];

    /// <summary>Number of bounce messages refused at end of DATA within <see cref="Window"/> that makes a block. Default 3.</summary>
    public int EscalateAfter { get; set; } = 3;

    /// <summary>Length of the sliding window over submission time. Default <c>1h</c>.</summary>
    public string Window { get; set; } = "1h";

    /// <summary>How long a block lasts. Default <c>24h</c>.</summary>
    public string BlockFor { get; set; } = "24h";

    /// <summary>How long refusals and event marks are kept. Events that arrive later than this are ignored. Default <c>1d</c>.</summary>
    public string Retention { get; set; } = "1d";

    /// <summary>
    /// CIDR ranges whose addresses many customers share, where only the account is counted. Set from
    /// <see cref="SharedRangesKey"/>, not from this section. Null means <see cref="DefaultSharedRanges"/>, and an
    /// empty item is skipped.
    /// </summary>
    public string[]? SharedRanges { get; set; }

    public TimeSpan WindowDuration => Durations.Parse(Window);

    public TimeSpan BlockForDuration => Durations.Parse(BlockFor);

    public TimeSpan RetentionDuration => Durations.Parse(Retention);

    public IReadOnlyList<IpNetwork> SharedNetworks =>
        (SharedRanges ?? DefaultSharedRanges).Where(range => !string.IsNullOrWhiteSpace(range)).Select(IpNetwork.Parse).ToList();
}
