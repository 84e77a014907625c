using System.Diagnostics;
using System.Globalization;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Bo1;

/// <summary>
/// The BO1 escalation decision: block null-sender submissions from the subject for <see cref="Bo1Options.BlockFor"/>
/// when <see cref="Bo1Options.EscalateAfter"/> bounce messages were refused within less than <see cref="Bo1Options.Window"/>.
/// </summary>
public static class Bo1Decision
{
    /// <summary>The reason sentence that the block event carries.</summary>
    public const string Reason = "repeated bounce messages";

    private const int MaxSamples = 5;

    /// <summary>Returns a new block on the subject when the nearby events contain a run that reaches the threshold, otherwise null.</summary>
    public static DetectorBlock? Decide(BlockSubject subject, IReadOnlyList<Bo1Refusal> nearby, Bo1Options options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(nearby);
        ArgumentNullException.ThrowIfNull(options);
        var first = TimeRuns.FindRun(nearby.Select(refusal => refusal.SubmittedAt).ToList(), options.EscalateAfter, options.WindowDuration);
        if (first < 0)
        {
            return null;
        }

        var run = nearby.Skip(first).Take(options.EscalateAfter).ToList();
        var evidence = new BlockEvidence
        {
            Summary = string.Create(
                CultureInfo.InvariantCulture,
                $"{run.Count} bounce messages from {subject} were refused at end of DATA from {run[0].SubmittedAt:yyyy-MM-dd HH:mm:ss} to {run[^1].SubmittedAt:yyyy-MM-dd HH:mm:ss} UTC. The threshold is {options.EscalateAfter} within {options.Window}."),
            Counts = new Dictionary<string, double>
            {
                ["refusedBounces"] = run.Count,
                ["escalateAfter"] = options.EscalateAfter,
                ["windowSeconds"] = options.WindowDuration.TotalSeconds,
                ["blockForSeconds"] = options.BlockForDuration.TotalSeconds,
            },
            Samples = run.TakeLast(MaxSamples).Select(refusal => new EvidenceSample
            {
                Value = refusal.GatewayMessageId,
                Detail = "bounce message refused at end of DATA",
                At = refusal.SubmittedAt,
            }).ToList(),
            TraceId = Activity.Current?.TraceId.ToString(),
        };

        var eventId = Guid.CreateVersion7(now);
        var expiresAt = now + options.BlockForDuration;
        var block = subject.Kind == BlockSubject.AccountKind
            ? DetectorBlock.From(new AccountBlocked
            {
                EventId = eventId,
                Account = subject.Value,
                Code = RuleCodes.Bo1,
                Scope = BlockScopes.NullSender,
                Reason = Reason,
                Evidence = evidence,
                BlockedAt = now,
                ExpiresAt = expiresAt,
            })
            : DetectorBlock.From(new IpBlocked
            {
                EventId = eventId,
                Ip = subject.Value,
                Code = RuleCodes.Bo1,
                Scope = BlockScopes.NullSender,
                Reason = Reason,
                Evidence = evidence,
                BlockedAt = now,
                ExpiresAt = expiresAt,
            });

        return block with { SubmissionTraceParents = DecisionSpans.SelectLinked(run.Select(refusal => refusal.TraceParent).Reverse()) };
    }
}
