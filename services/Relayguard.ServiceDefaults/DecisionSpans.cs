using System.Diagnostics;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// Records a detector's decision as a span inside the consume span of the event that led to it (so it shares
/// that submission's trace), with the rule, the outcome, and the counts and thresholds behind a block. The span of a
/// new block also links to the submissions that caused it (<see cref="DetectorBlock.SubmissionTraceParents"/>).
/// </summary>
public static class DecisionSpans
{
    /// <summary>
    /// The maximum number of links on one decision span. OpenTelemetry's SDK drops links past its own limit, 128 by
    /// default, and a few dozen submissions are enough to follow a block to its cause.
    /// </summary>
    public const int MaxLinks = 32;

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

    /// <summary>
    /// Returns the W3C <c>traceparent</c> of the current span, or null without one. While a detector consumes an
    /// event, the current span is the consume span, which is in the trace of the submission that published the event.
    /// A detector stores the value with the row it counts.
    /// </summary>
    public static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.Id : null;

    /// <summary>
    /// Returns the first <see cref="MaxLinks"/> distinct trace parents in the order given, without nulls. Callers
    /// pass them most recent first, so the newest submissions are kept.
    /// </summary>
    public static IReadOnlyList<string> SelectLinked(IEnumerable<string?> traceParents)
    {
        ArgumentNullException.ThrowIfNull(traceParents);
        return traceParents.OfType<string>().Distinct(StringComparer.Ordinal).Take(MaxLinks).ToList();
    }

    public static void Record(string rule, string outcome, int? count = null, DetectorBlock? block = null)
    {
        RelayguardTelemetry.Decisions.Add(1, RelayguardTelemetry.Tag("rule", rule), RelayguardTelemetry.Tag("outcome", outcome));

        // Links go in at creation, because samplers read them only then. A default parent context keeps
        // Activity.Current as the parent, as StartActivity(name) does.
        var links = block is null ? null : LinksTo(block.SubmissionTraceParents);
        using var activity = RelayguardTelemetry.Source.StartActivity("relayguard.decision", ActivityKind.Internal, parentContext: default, links: links);
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

    /// <summary>Returns a link per trace parent that parses as W3C, at most <see cref="MaxLinks"/>, or null for none.</summary>
    private static List<ActivityLink>? LinksTo(IReadOnlyList<string> traceParents)
    {
        List<ActivityLink>? links = null;
        foreach (var traceParent in traceParents.Take(MaxLinks))
        {
            if (ActivityContext.TryParse(traceParent, traceState: null, isRemote: true, out var context))
            {
                links ??= new List<ActivityLink>(traceParents.Count);
                links.Add(new ActivityLink(context));
            }
        }

        return links;
    }
}
