using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Rl1;

/// <summary>
/// RL1: counts relayed messages and their recipients per account, and per client address (IPv6: /64) for trusted
/// senders without an account. Once a limit is reached it blocks further mail with a temporary refusal, until enough
/// of the hour's mail is an hour old for the counts to fall below the limits. Refused and deferred submissions do
/// not count.
/// </summary>
public sealed class Rl1Rule
{
    /// <summary>Blocks that ended this long ago are deleted with their evidence.</summary>
    public static readonly TimeSpan BlockRetention = TimeSpan.FromDays(90);

    /// <summary>Counted messages are kept this long: the window and a margin for late events.</summary>
    public static readonly TimeSpan MessageRetention = TimeSpan.FromHours(2);

    private readonly IRl1Store _store;
    private readonly Rl1Options _options;
    private readonly TimeProvider _time;
    private readonly ILogger<Rl1Rule> _logger;
    private readonly IDetectorAllowlist<Rl1Rule>? _allowlist;

    /// <param name="allowlist">The operators' allowlist; null counts every account and address.</param>
    public Rl1Rule(IRl1Store store, IOptions<Rl1Options> options, TimeProvider time, ILogger<Rl1Rule> logger, IDetectorAllowlist<Rl1Rule>? allowlist = null)
    {
        _store = store;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _allowlist = allowlist;
    }

    /// <summary>Counts a relayed message and decides whether to block. Returns a stored block event to publish, or null.</summary>
    public async Task<DetectorBlock?> RecordSubmissionAsync(MessageSubmitted message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Outcome != SubmissionOutcomes.Relayed)
        {
            return null;
        }

        if (_allowlist?.FindCovering(RuleCodes.Rl1, message.Account, message.ClientIp, _time.GetUtcNow()) is not null)
        {
            return null;
        }

        var limits = _options.LimitsFor(message.Account);
        if (limits.IsOff)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        var since = now - Rl1Options.Window;
        if (message.SubmittedAt <= since)
        {
            return null;
        }

        var subject = message.Account is not null ? BlockSubject.ForAccount(message.Account) : BlockSubject.ForIp(IpKeys.BlockKey(message.ClientIp));
        var submission = new Rl1Submission(message.EventId, subject, message.GatewayMessageId, message.RecipientCount, message.SubmittedAt, DecisionSpans.CurrentTraceParent());
        var result = await _store.RecordAsync(submission, since, now, limits, recent => Rl1Decision.Decide(subject, recent, limits, now), cancellationToken);
        if (result.Duplicate)
        {
            Log.EventAlreadyApplied(_logger, message.EventId);
        }
        else if (result.BlockIsNew)
        {
            Log.Blocked(_logger, subject.ToString(), result.Block!.EventId, result.Messages, result.Recipients, result.Block.ExpiresAt!.Value);
        }
        else
        {
            Log.Counted(_logger, subject.ToString(), message.GatewayMessageId, result.Messages, result.Recipients);
        }

        return result.Block;
    }

    public Task RecordLiftAsync(AccountUnblocked message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.OnIp is not null
            ? Task.CompletedTask
            : RecordLiftAsync(message.EventId, BlockSubject.ForAccount(message.Account), message.Codes, message.UnblockedAt, message.Operator, cancellationToken);
    }

    public Task RecordLiftAsync(IpUnblocked message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var subject = !message.Ip.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(message.Ip, out var address)
            ? IpKeys.BlockKey(address)
            : IpKeys.TryNormalizeSubject(message.Ip, out var normalized) ? normalized : message.Ip;
        return RecordLiftAsync(message.EventId, BlockSubject.ForIp(subject), message.Codes, message.UnblockedAt, message.Operator, cancellationToken);
    }

    public async Task MarkPublishedAsync(DetectorBlock block, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(block);
        await _store.MarkPublishedAsync(block.EventId, _time.GetUtcNow(), cancellationToken);
        Log.BlockPublished(_logger, block.EventId, block.Subject.ToString());
    }

    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var deleted = await _store.PruneAsync(now - MessageRetention, now - BlockRetention, cancellationToken);
        Log.Pruned(_logger, deleted);
        return deleted;
    }

    private async Task RecordLiftAsync(Guid eventId, BlockSubject subject, IReadOnlyList<string> codes, DateTimeOffset liftedAt, string operatorName, CancellationToken cancellationToken)
    {
        if (!codes.Contains(RuleCodes.Rl1, StringComparer.OrdinalIgnoreCase))
        {
            return;
        }

        if (!await _store.RecordLiftAsync(eventId, subject, liftedAt, _time.GetUtcNow(), cancellationToken))
        {
            Log.EventAlreadyApplied(_logger, eventId);
            return;
        }

        Log.LiftRecorded(_logger, subject.ToString(), liftedAt, operatorName);
    }
}
