using System.Diagnostics;
using System.Globalization;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Rl1;

/// <summary>
/// The RL1 decision: once the messages or recipients of the last hour reach a limit, defer further mail until
/// enough of them are more than an hour old for the counts to fall below the limits again.
/// </summary>
public static class Rl1Decision
{
    public const string Reason = "too many messages this hour";

    /// <summary>
    /// Returns when the counts of <paramref name="recent"/> (oldest first, all within the last hour) fall below the
    /// limits, or null when they are below already.
    /// </summary>
    public static DateTimeOffset? BlockedUntil(IReadOnlyList<Rl1Submission> recent, Rl1Limits limits)
    {
        ArgumentNullException.ThrowIfNull(recent);
        ArgumentNullException.ThrowIfNull(limits);
        DateTimeOffset? until = null;
        if (limits.Messages > 0 && recent.Count >= limits.Messages)
        {
            // Once the oldest (count - limit + 1) messages are an hour old, limit - 1 remain.
            until = recent[recent.Count - limits.Messages].SubmittedAt + Rl1Options.Window;
        }

        var recipients = recent.Sum(s => s.Recipients);
        if (limits.Recipients > 0 && recipients >= limits.Recipients)
        {
            var left = recipients;
            foreach (var submission in recent)
            {
                left -= submission.Recipients;
                if (left < limits.Recipients)
                {
                    var byRecipients = submission.SubmittedAt + Rl1Options.Window;
                    until = until is null || byRecipients > until ? byRecipients : until;
                    break;
                }
            }
        }

        return until;
    }

    /// <summary>Returns a new RL1 block on the subject when the recent messages reach a limit, otherwise null.</summary>
    public static DetectorBlock? Decide(BlockSubject subject, IReadOnlyList<Rl1Submission> recent, Rl1Limits limits, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var until = BlockedUntil(recent, limits);
        if (until is null || until <= now)
        {
            return null;
        }

        var recipients = recent.Sum(s => s.Recipients);
        var evidence = new BlockEvidence
        {
            Summary = string.Create(
                CultureInfo.InvariantCulture,
                $"{subject} relayed {recent.Count} messages to {recipients} recipients in the last hour. The limits are {Describe(limits.Messages)} messages and {Describe(limits.Recipients)} recipients per hour."),
            Counts = new Dictionary<string, double>
            {
                ["messages"] = recent.Count,
                ["recipients"] = recipients,
                ["messagesPerHour"] = limits.Messages,
                ["recipientsPerHour"] = limits.Recipients,
            },
            Samples = recent.TakeLast(5).Select(s => new EvidenceSample
            {
                Value = s.GatewayMessageId,
                Detail = string.Create(CultureInfo.InvariantCulture, $"{s.Recipients} recipients"),
                At = s.SubmittedAt,
            }).ToList(),
            TraceId = Activity.Current?.TraceId.ToString(),
        };

        var eventId = Guid.CreateVersion7(now);
        var block = subject.Kind == BlockSubject.AccountKind
            ? DetectorBlock.From(new AccountBlocked
            {
                EventId = eventId,
                Account = subject.Value,
                Code = RuleCodes.Rl1,
                Scope = BlockScopes.All,
                Reason = Reason,
                Evidence = evidence,
                BlockedAt = now,
                ExpiresAt = until,
            })
            : DetectorBlock.From(new IpBlocked
            {
                EventId = eventId,
                Ip = subject.Value,
                Code = RuleCodes.Rl1,
                Scope = BlockScopes.All,
                Reason = Reason,
                Evidence = evidence,
                BlockedAt = now,
                ExpiresAt = until,
            });

        return block with { SubmissionTraceParents = DecisionSpans.SelectLinked(recent.Reverse().Select(submission => submission.TraceParent)) };
    }

    private static string Describe(int limit) => limit > 0 ? limit.ToString(CultureInfo.InvariantCulture) : "unlimited";
}
