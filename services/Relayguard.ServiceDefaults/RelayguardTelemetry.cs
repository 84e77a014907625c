using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// The product's own activity source and meter. Instruments are named <c>relayguard.*</c> (Prometheus:
/// <c>relayguard_*</c>); no account, address or IP is ever a tag, so cardinality stays bounded.
/// </summary>
public static class RelayguardTelemetry
{
    public const string SourceName = "Relayguard";
    public const string MeterName = "Relayguard";

    public static readonly ActivitySource Source = new(SourceName);

    public static readonly Meter Meter = new(MeterName);

    /// <summary>Transactions by outcome (relayed, refused, deferred) and rule code ("none" when no rule applied).</summary>
    public static readonly Counter<long> Messages = Meter.CreateCounter<long>("relayguard.messages", "{message}", "SMTP transactions by outcome and rule code.");

    public static readonly Histogram<double> RelayDuration = Meter.CreateHistogram<double>("relayguard.relay.duration", "s", "Time to hand a message to the upstream MTA and get its reply.");

    /// <summary>Upstream replies by class: 2xx, 4xx, 5xx, or "unreachable".</summary>
    public static readonly Counter<long> UpstreamReplies = Meter.CreateCounter<long>("relayguard.upstream.replies", "{reply}", "Replies of the upstream MTA to message data, by class.");

    public static readonly Histogram<double> ScanDuration = Meter.CreateHistogram<double>("relayguard.scan.duration", "s", "Time Rspamd took to score a message.");

    public static readonly Counter<long> ScanActions = Meter.CreateCounter<long>("relayguard.scan.actions", "{message}", "Rspamd actions, including \"not scanned\".");

    /// <summary>Bounces by source (relay, dsn) and reason class.</summary>
    public static readonly Counter<long> Bounces = Meter.CreateCounter<long>("relayguard.bounces", "{bounce}", "Failed recipients by source and reason.");

    public static readonly Counter<long> UnmatchedReports = Meter.CreateCounter<long>("relayguard.dsn.unmatched", "{report}", "Delivery reports that matched no submission.");

    /// <summary>Detector decisions by rule and outcome (counted, blocked, ignored, duplicate).</summary>
    public static readonly Counter<long> Decisions = Meter.CreateCounter<long>("relayguard.decisions", "{decision}", "Detector decisions by rule and outcome.");

    public static readonly Counter<long> AuthFailures = Meter.CreateCounter<long>("relayguard.auth.failures", "{failure}", "Failed AUTH attempts.");

    public static readonly Counter<long> Refusals = Meter.CreateCounter<long>("relayguard.refusals", "{refusal}", "Refusals at MAIL FROM by rule code.");

    public static KeyValuePair<string, object?> Tag(string name, object? value) => new(name, value);
}
