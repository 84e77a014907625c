using System.Diagnostics;
using System.Globalization;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca2;

/// <summary>
/// The CA2 decision: block the subject for <see cref="Ca2Options.BlockFor"/> when <see cref="Ca2Options.Count"/>
/// rejected messages were submitted within less than <see cref="Ca2Options.Window"/>.
/// </summary>
public static class Ca2Decision
{
    /// <summary>The reason sentence that the block event carries.</summary>
    public const string Reason = "several messages scored as spam";

    private const int MaxSamples = 5;

    /// <summary>Returns a new block on the subject when the nearby events contain a run that reaches the threshold, otherwise null.</summary>
    public static DetectorBlock? Decide(BlockSubject subject, IReadOnlyList<Ca2Reject> nearby, Ca2Options options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(nearby);
        ArgumentNullException.ThrowIfNull(options);
        var first = TimeRuns.FindRun(nearby.Select(reject => reject.SubmittedAt).ToList(), options.Count, options.WindowDuration);
        if (first < 0)
        {
            return null;
        }

        var run = nearby.Skip(first).Take(options.Count).ToList();
        var evidence = new BlockEvidence
        {
            Summary = string.Create(
                CultureInfo.InvariantCulture,
                $"{run.Count} messages that the spam scanner rejected were submitted by {subject} from {run[0].SubmittedAt:yyyy-MM-dd HH:mm:ss} to {run[^1].SubmittedAt:yyyy-MM-dd HH:mm:ss} UTC. The threshold is {options.Count} within {options.Window}."),
            Counts = new Dictionary<string, double>
            {
                ["rejectedMessages"] = run.Count,
                ["count"] = options.Count,
                ["windowSeconds"] = options.WindowDuration.TotalSeconds,
                ["blockForSeconds"] = options.BlockForDuration.TotalSeconds,
            },
            Samples = run.TakeLast(MaxSamples).Select(reject => new EvidenceSample
            {
                Value = reject.GatewayMessageId,
                Detail = SampleDetail(reject),
                At = reject.SubmittedAt,
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
                OnIp = subject.OnIp,
                Code = RuleCodes.Ca2,
                Scope = BlockScopes.All,
                Reason = Reason,
                Evidence = evidence,
                BlockedAt = now,
                ExpiresAt = expiresAt,
            })
            : DetectorBlock.From(new IpBlocked
            {
                EventId = eventId,
                Ip = subject.Value,
                Code = RuleCodes.Ca2,
                Scope = BlockScopes.All,
                Reason = Reason,
                Evidence = evidence,
                BlockedAt = now,
                ExpiresAt = expiresAt,
            });

        return block with { SubmissionTraceParents = DecisionSpans.SelectLinked(run.Select(reject => reject.TraceParent).Reverse()) };
    }

    /// <summary>Describes a rejected message as <c>score 1003.2, symbols GTUBE(1000) MISSING_DATE(1)</c>, leaving out what is unknown.</summary>
    private static string? SampleDetail(Ca2Reject reject)
    {
        var parts = new List<string>();
        if (reject.SpamScore is { } score)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"score {score:0.##}"));
        }

        if (reject.SpamSymbols is { Count: > 0 } symbols)
        {
            parts.Add("symbols " + string.Join(' ', symbols));
        }

        return parts.Count == 0 ? null : string.Join(", ", parts);
    }
}
