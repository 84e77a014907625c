using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca1;

/// <summary>
/// Settings of CA1, which blocks an account that sends to many addresses that do not exist. Durations are
/// strings such as <c>30m</c>, <c>1h</c> or <c>7d</c>, and <see cref="Ca1OptionsValidator"/> checks them at start.
/// </summary>
public sealed class Ca1Options
{
    public const string SectionName = "Rules:CA1";

    /// <summary>Length of the fixed windows that group submissions by submission time. Default <c>1h</c>.</summary>
    public string Window { get; set; } = "1h";

    /// <summary>Minimum number of distinct invalid recipients in one window for a block. Default 25.</summary>
    public int MinInvalidRecipients { get; set; } = 25;

    /// <summary>Minimum share of invalid among the distinct recipients of the window, from 0 to 1. Default 0.2 (20%).</summary>
    public double MinInvalidShare { get; set; } = 0.2;

    /// <summary>
    /// The part of both thresholds at which an account is warned (an <c>AccountWarned</c> event, once per window), from
    /// 0 to 1: at 0.8, 20 invalid recipients and 16% with the default thresholds. 0 turns warnings off. Default 0.8.
    /// </summary>
    public double WarnAt { get; set; } = 0.8;

    /// <summary>
    /// How long window counts are kept. Bounces for mail submitted earlier are ignored, so this must cover the
    /// longest delay of a DSN: Postfix keeps retrying for <c>maximal_queue_lifetime</c>, 5d by default (qmgr(8)).
    /// Default <c>7d</c>.
    /// </summary>
    public string Retention { get; set; } = "7d";

    public TimeSpan WindowDuration => Durations.Parse(Window);

    public TimeSpan RetentionDuration => Durations.Parse(Retention);
}
