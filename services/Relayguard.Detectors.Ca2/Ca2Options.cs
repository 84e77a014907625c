using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca2;

/// <summary>
/// Settings of CA2, which blocks a client address (or the account on an address in a shared range) that submits
/// several messages the spam scanner rejects. Durations are strings such as <c>10m</c> or <c>24h</c>,
/// and <see cref="Ca2OptionsValidator"/> checks them at start.
/// </summary>
public sealed class Ca2Options
{
    public const string SectionName = "Rules:CA2";

    /// <summary>The shared ranges used when <see cref="SharedRanges"/> is not configured: the carrier-grade NAT range.</summary>
    public static readonly IReadOnlyList<string> DefaultSharedRanges = ["100.64.0.0/10"];

    /// <summary>Length of the sliding window over submission time. Default <c>10m</c>.</summary>
    public string Window { get; set; } = "10m";

    /// <summary>Number of rejected messages within <see cref="Window"/> that makes a block. Default 5.</summary>
    public int Count { get; set; } = 5;

    /// <summary>How long a block lasts. Default <c>24h</c>.</summary>
    public string BlockFor { get; set; } = "24h";

    /// <summary>
    /// CIDR ranges whose addresses many customers share: there the account on the address is counted and blocked,
    /// and mail without an account is not counted at all. Null (not configured) means
    /// <see cref="DefaultSharedRanges"/>. The default is not set on the property because the configuration binder
    /// appends configured items to an existing list instead of replacing it. An empty item is skipped, so
    /// <c>Rules:CA2:SharedRanges:0=</c> configures no shared range.
    /// </summary>
    public string[]? SharedRanges { get; set; }

    /// <summary>How long rejected messages and event marks are kept. Events that arrive later than this are ignored. Default <c>1d</c>.</summary>
    public string Retention { get; set; } = "1d";

    public TimeSpan WindowDuration => Durations.Parse(Window);

    public TimeSpan BlockForDuration => Durations.Parse(BlockFor);

    public TimeSpan RetentionDuration => Durations.Parse(Retention);

    public IReadOnlyList<IpNetwork> SharedNetworks =>
        (SharedRanges ?? DefaultSharedRanges).Where(range => !string.IsNullOrWhiteSpace(range)).Select(IpNetwork.Parse).ToList();
}
