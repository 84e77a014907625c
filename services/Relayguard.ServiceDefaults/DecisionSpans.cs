using System.Diagnostics;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// Records a detector's decision as a span inside the consume span of the event that led to it (so it shares
/// the submission's trace), with the rule, the outcome, and the counts and thresholds behind a block.
/// </summary>
public static class DecisionSpans
{
    /// <summary>Names what a store did with an event: duplicate, blocked, already-blocked or counted.</summary>
    public static string Outcome(bool duplicate, bool blockIsNew, bool alreadyBlocked)
    {
        if (duplicate)
        {
            return "duplicate";
        }

        if (blockIsNew)
        {
            return "blocked";
        }

        return alreadyBlocked ? "already-blocked" : "counted";
    }

    public static void Record(string rule, string outcome, int? count = null, DetectorBlock? block = null)
    {
        RelayguardTelemetry.Decisions.Add(1, RelayguardTelemetry.Tag("rule", rule), RelayguardTelemetry.Tag("outcome", outcome));
        using var activity = RelayguardTelemetry.Source.StartActivity("relayguard.decision");
        if (activity is null)
        {
            return;
        }

        activity.SetTag("relayguard.rule", rule);
        activity.SetTag("relayguard.decision", outcome);
        activity.SetTag("relayguard.count", count);
        var evidence = block?.AccountBlocked?.Evidence ?? block?.IpBlocked?.Evidence;
        if (evidence is not null)
        {
            activity.SetTag("relayguard.block_event_id", block!.EventId.ToString());
            activity.SetTag("relayguard.scope", block.Scope);
            foreach (var (name, value) in evidence.Counts)
            {
                activity.SetTag($"relayguard.evidence.{name}", value);
            }
        }
    }
}
