using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca2;

/// <summary>
/// CA2: blocks a client address for <see cref="Ca2Options.BlockFor"/> when <see cref="Ca2Options.Count"/> messages
/// from it that the spam scanner rejected were submitted within less than <see cref="Ca2Options.Window"/>.
/// IPv6 clients are counted and blocked by /64 prefix. On an address in a shared range the account is counted and
/// blocked on that address, and mail without an account is not counted. Neither is mail from an account or client
/// address on the operators' allowlist for CA2.
/// </summary>
public sealed class Ca2Rule
{
    /// <summary>Blocks that ended this long ago are deleted with their evidence.</summary>
    public static readonly TimeSpan BlockRetention = TimeSpan.FromDays(90);

    private readonly ICa2Store _store;
    private readonly Ca2Options _options;
    private readonly IReadOnlyList<IpNetwork> _sharedRanges;
    private readonly TimeProvider _time;
    private readonly ILogger<Ca2Rule> _logger;
    private readonly IDetectorAllowlist<Ca2Rule>? _allowlist;

    /// <param name="allowlist">The operators' allowlist; null counts every account and address.</param>
    public Ca2Rule(ICa2Store store, IOptions<Ca2Options> options, TimeProvider time, ILogger<Ca2Rule> logger, IDetectorAllowlist<Ca2Rule>? allowlist = null)
    {
        _store = store;
        _options = options.Value;
        _sharedRanges = _options.SharedNetworks;
        _time = time;
        _logger = logger;
        _allowlist = allowlist;
    }

    /// <summary>
    /// Counts a submission that the spam scanner rejected and decides whether to block. Ignores every other
    /// submission. Returns a stored block event to publish, or null.
    /// </summary>
    public async Task<DetectorBlock?> RecordSubmissionAsync(MessageSubmitted message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.SpamAction != SpamActions.Reject)
        {
            return null;
        }

        var subject = SubjectOf(message);
        if (subject is null)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        if (message.SubmittedAt < now - _options.RetentionDuration)
        {
            Log.EventBeyondRetention(_logger, message.EventId, message.SubmittedAt, _options.Retention);
            return null;
        }

        if (_allowlist?.FindCovering(RuleCodes.Ca2, message.Account, message.ClientIp, now) is { } entry)
        {
            Log.Allowlisted(_logger, message.EventId, message.GatewayMessageId, entry);
            return null;
        }

        var reject = new Ca2Reject(message.EventId, subject, message.GatewayMessageId, message.SpamScore, message.SubmittedAt, message.SpamSymbols, DecisionSpans.CurrentTraceParent());
        var result = await _store.RecordRejectAsync(reject, now, _options.WindowDuration, _options.Count, nearby => Ca2Decision.Decide(subject, nearby, _options, now), cancellationToken);
        LogOutcome(message, subject, result);
        return result.Block;
    }

    public Task RecordLiftAsync(AccountUnblocked message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var onIp = message.OnIp is not null && IPAddress.TryParse(message.OnIp, out var address) ? IpKeys.AddressText(address) : message.OnIp;
        return RecordLiftAsync(message.EventId, BlockSubject.ForAccount(message.Account, onIp), message.Codes, message.UnblockedAt, message.Operator, cancellationToken);
    }

    public Task RecordLiftAsync(IpUnblocked message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return RecordLiftAsync(message.EventId, BlockSubject.ForIp(IpSubjectOf(message.Ip)), message.Codes, message.UnblockedAt, message.Operator, cancellationToken);
    }

    public async Task MarkPublishedAsync(DetectorBlock block, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(block);
        await _store.MarkPublishedAsync(block.EventId, _time.GetUtcNow(), cancellationToken);
        Log.BlockPublished(_logger, block.EventId, block.Subject.ToString());
    }

    /// <summary>Deletes rejected messages and event marks past the retention, and blocks that ended 90 days ago.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var deleted = await _store.PruneAsync(now - _options.RetentionDuration, now - BlockRetention, cancellationToken);
        Log.Pruned(_logger, deleted);
        return deleted;
    }

    /// <summary>
    /// Returns the subject a rejected message counts against: the IPv4 address or IPv6 /64 prefix, or the account on
    /// the address in a shared range. Returns null when it counts against nothing.
    /// </summary>
    public BlockSubject? SubjectOf(MessageSubmitted message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!IPAddress.TryParse(message.ClientIp, out var address))
        {
            Log.InvalidClientIp(_logger, message.EventId, message.ClientIp);
            return null;
        }

        address = IpKeys.Normalize(address);
        if (!_sharedRanges.Any(range => range.Contains(address)))
        {
            return BlockSubject.ForIp(IpKeys.BlockKey(address));
        }

        if (message.Account is null)
        {
            Log.SharedAddressWithoutAccount(_logger, message.EventId, address.ToString());
            return null;
        }

        return BlockSubject.ForAccount(message.Account, address.ToString());
    }

    private async Task RecordLiftAsync(Guid eventId, BlockSubject subject, IReadOnlyList<string> codes, DateTimeOffset liftedAt, string operatorName, CancellationToken cancellationToken)
    {
        if (!codes.Contains(RuleCodes.Ca2, StringComparer.OrdinalIgnoreCase))
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

    /// <summary>Normalises the subject of an IP lift: a single IPv6 address means its /64 prefix, as CA2 blocks it.</summary>
    private static string IpSubjectOf(string text)
    {
        if (!text.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(text, out var address))
        {
            return IpKeys.BlockKey(address);
        }

        return IpKeys.TryNormalizeSubject(text, out var subject) ? subject : text;
    }

    private void LogOutcome(MessageSubmitted message, BlockSubject subject, Ca2RejectResult result)
    {
        var outcome = DecisionSpans.Outcome(result.Duplicate, result.BlockIsNew, result.AlreadyBlocked);
        DecisionSpans.Record(RuleCodes.Ca2, outcome, result.Nearby, result.BlockIsNew ? result.Block : null);
        if (result.Duplicate)
        {
            Log.EventAlreadyApplied(_logger, message.EventId);
        }
        else if (result.BlockIsNew)
        {
            Log.Blocked(_logger, subject.ToString(), result.Block!.EventId, result.Nearby, result.Block.ExpiresAt!.Value);
            return;
        }
        else if (result.AlreadyBlocked)
        {
            Log.AlreadyBlocked(_logger, subject.ToString(), message.EventId);
        }
        else
        {
            Log.BelowThreshold(_logger, subject.ToString(), message.GatewayMessageId, result.Nearby, _options.Window);
        }

        if (result.Block is { } pending)
        {
            Log.BlockPublishing(_logger, pending.EventId, pending.Subject.ToString(), message.EventId);
        }
    }
}
