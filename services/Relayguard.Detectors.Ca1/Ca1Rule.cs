using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca1;

/// <summary>
/// CA1: blocks an account when, in one window of submission time, at least
/// <see cref="Ca1Options.MinInvalidRecipients"/> distinct recipients proved invalid and they are at least
/// <see cref="Ca1Options.MinInvalidShare"/> of the window's distinct recipients. The block has no expiry. Events of an
/// account or client address on the operators' allowlist for CA1 are not counted.
/// </summary>
public sealed class Ca1Rule
{
    /// <summary>Blocks that ended this long ago are deleted with their evidence.</summary>
    public static readonly TimeSpan BlockRetention = TimeSpan.FromDays(90);

    private readonly ICa1Store _store;
    private readonly Ca1Options _options;
    private readonly TimeProvider _time;
    private readonly ILogger<Ca1Rule> _logger;
    private readonly IDetectorAllowlist<Ca1Rule>? _allowlist;

    /// <param name="allowlist">The operators' allowlist; null counts every account and address.</param>
    public Ca1Rule(ICa1Store store, IOptions<Ca1Options> options, TimeProvider time, ILogger<Ca1Rule> logger, IDetectorAllowlist<Ca1Rule>? allowlist = null)
    {
        _store = store;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _allowlist = allowlist;
    }

    /// <summary>
    /// Counts the recipients of a relayed, authenticated submission and decides whether to block, since the
    /// submission may complete bounces that arrived before it. Ignores every other submission. Returns a stored
    /// block event to publish, or null.
    /// </summary>
    public async Task<DetectorBlock?> RecordSubmissionAsync(MessageSubmitted message, CancellationToken cancellationToken) =>
        (await CountSubmissionAsync(message, cancellationToken))?.Block;

    /// <summary>
    /// Like <see cref="RecordSubmissionAsync"/>, but returns everything the store did, with the window's tally after
    /// the event, or null when the submission does not count.
    /// </summary>
    public async Task<Ca1Result?> CountSubmissionAsync(MessageSubmitted message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!(message.Outcome == SubmissionOutcomes.Relayed || message.RelayAttempted) || message.Account is null)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        if (IsBeyondRetention(message.SubmittedAt, now))
        {
            Log.EventBeyondRetention(_logger, nameof(MessageSubmitted), message.EventId, message.SubmittedAt, _options.Retention);
            return null;
        }

        if (IsAllowlisted(nameof(MessageSubmitted), message.EventId, message.Account, message.ClientIp, now))
        {
            return null;
        }

        var submission = new Ca1Submission(message.EventId, message.Account, WindowStartOf(message.SubmittedAt), message.SubmittedAt, message.RecipientHashes, DecisionSpans.CurrentTraceParent());
        var result = await _store.RecordSubmissionAsync(submission, now, tally => Ca1Decision.Decide(tally, _options, now), cancellationToken);
        if (!result.Duplicate)
        {
            Log.SubmissionRecorded(_logger, message.RecipientHashes.Count, message.GatewayMessageId, message.Account, submission.WindowStart);
        }

        LogOutcome(nameof(MessageSubmitted), message.EventId, result);
        return result;
    }

    /// <summary>
    /// Counts a permanent invalid-address bounce in the window of its submission and decides whether to block.
    /// Returns a stored block event to publish, or null.
    /// </summary>
    public async Task<DetectorBlock?> RecordBounceAsync(DeliveryBounced message, CancellationToken cancellationToken) =>
        (await CountBounceAsync(message, cancellationToken))?.Block;

    /// <summary>
    /// Like <see cref="RecordBounceAsync"/>, but returns everything the store did, with the window's tally after the
    /// event, or null when the bounce does not count.
    /// </summary>
    public async Task<Ca1Result?> CountBounceAsync(DeliveryBounced message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Account is null)
        {
            Log.BounceWithoutAccount(_logger, message.EventId, message.GatewayMessageId);
            return null;
        }

        if (!message.AddressInvalid || !message.Permanent)
        {
            Log.BounceNotCounted(_logger, message.EventId, message.GatewayMessageId, message.Reason);
            return null;
        }

        var now = _time.GetUtcNow();
        if (IsBeyondRetention(message.SubmittedAt, now))
        {
            Log.EventBeyondRetention(_logger, nameof(DeliveryBounced), message.EventId, message.SubmittedAt, _options.Retention);
            return null;
        }

        if (IsAllowlisted(nameof(DeliveryBounced), message.EventId, message.Account, message.ClientIp, now))
        {
            return null;
        }

        var bounce = new Ca1InvalidBounce(
            message.EventId,
            message.Account,
            WindowStartOf(message.SubmittedAt),
            message.SubmittedAt,
            message.RecipientHash,
            message.RecipientAddress,
            message.Reply,
            message.BouncedAt);
        var result = await _store.RecordInvalidBounceAsync(bounce, now, tally => Ca1Decision.Decide(tally, _options, now), cancellationToken);
        LogOutcome(nameof(DeliveryBounced), message.EventId, result);
        return result;
    }

    /// <summary>Records an operator's lift when it names CA1.</summary>
    public async Task RecordLiftAsync(AccountUnblocked message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!message.Codes.Contains(RuleCodes.Ca1, StringComparer.OrdinalIgnoreCase))
        {
            return;
        }

        if (!await _store.RecordLiftAsync(message.EventId, message.Account, message.UnblockedAt, _time.GetUtcNow(), cancellationToken))
        {
            Log.EventAlreadyApplied(_logger, nameof(AccountUnblocked), message.EventId);
            return;
        }

        Log.LiftRecorded(_logger, message.Account, message.UnblockedAt, message.Operator);
    }

    public async Task MarkPublishedAsync(DetectorBlock block, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(block);
        await _store.MarkPublishedAsync(block.EventId, _time.GetUtcNow(), cancellationToken);
        Log.BlockPublished(_logger, block.EventId, block.Subject.ToString());
    }

    /// <summary>Deletes windows and event marks past the retention, and blocks that ended 90 days ago.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var deleted = await _store.PruneAsync(now - _options.RetentionDuration - _options.WindowDuration, now - BlockRetention, cancellationToken);
        Log.Pruned(_logger, deleted);
        return deleted;
    }

    /// <summary>Returns the start of the fixed window that contains <paramref name="submittedAt"/>. Windows are aligned to the Unix epoch.</summary>
    public DateTimeOffset WindowStartOf(DateTimeOffset submittedAt)
    {
        var windowTicks = _options.WindowDuration.Ticks;
        var sinceEpoch = submittedAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var start = sinceEpoch - (((sinceEpoch % windowTicks) + windowTicks) % windowTicks);
        return DateTimeOffset.UnixEpoch.AddTicks(start);
    }

    private bool IsBeyondRetention(DateTimeOffset submittedAt, DateTimeOffset now) =>
        submittedAt < now - _options.RetentionDuration;

    /// <summary>Returns true, and logs the entry, when the account or the client address is allowlisted for CA1.</summary>
    private bool IsAllowlisted(string messageType, Guid eventId, string account, string clientIp, DateTimeOffset now)
    {
        var entry = _allowlist?.FindCovering(RuleCodes.Ca1, account, clientIp, now);
        if (entry is null)
        {
            return false;
        }

        Log.Allowlisted(_logger, messageType, eventId, entry);
        return true;
    }

    private void LogOutcome(string messageType, Guid eventId, Ca1Result result)
    {
        var outcome = DecisionSpans.Outcome(result.Duplicate, result.BlockIsNew, result.AlreadyBlocked);
        DecisionSpans.Record(RuleCodes.Ca1, outcome, result.Tally?.InvalidRecipients, result.BlockIsNew ? result.Block : null);
        if (result.Duplicate)
        {
            Log.EventAlreadyApplied(_logger, messageType, eventId);
        }
        else if (result.BlockIsNew)
        {
            var tally = result.Tally!;
            Log.AccountBlocked(_logger, tally.Account, result.Block!.EventId, tally.InvalidRecipients, tally.DistinctRecipients, tally.WindowStart);
            return;
        }
        else if (result.AlreadyBlocked)
        {
            Log.AlreadyBlocked(_logger, result.Tally!.Account, eventId);
        }
        else
        {
            var tally = result.Tally!;
            Log.BelowThreshold(_logger, tally.Account, tally.InvalidRecipients, tally.DistinctRecipients, tally.WindowStart);
        }

        if (result.Block is { } pending)
        {
            Log.BlockPublishing(_logger, pending.EventId, pending.Subject.ToString(), eventId);
        }
    }
}
