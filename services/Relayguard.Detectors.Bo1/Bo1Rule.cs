using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Bo1;

/// <summary>
/// BO1 escalation: when <see cref="Bo1Options.EscalateAfter"/> bounce messages from one account or one client
/// address (IPv6: /64 prefix) were refused at end of DATA within less than <see cref="Bo1Options.Window"/>, blocks
/// null-sender submissions from it for <see cref="Bo1Options.BlockFor"/>. Refusals at MAIL FROM, which the block
/// itself causes, do not count, and an address in a shared range counts only through its account. Neither do
/// refusals of an account or client address on the operators' allowlist for BO1.
/// </summary>
public sealed class Bo1Rule
{
    /// <summary>The refusal stage at end of DATA, as <see cref="MessageSubmitted.RefusalStage"/> names it.</summary>
    public const string DataStage = "data";

    /// <summary>Blocks that ended this long ago are deleted with their evidence.</summary>
    public static readonly TimeSpan BlockRetention = TimeSpan.FromDays(90);

    private readonly IBo1Store _store;
    private readonly Bo1Options _options;
    private readonly IReadOnlyList<IpNetwork> _sharedRanges;
    private readonly TimeProvider _time;
    private readonly ILogger<Bo1Rule> _logger;
    private readonly IDetectorAllowlist<Bo1Rule>? _allowlist;

    /// <param name="allowlist">The operators' allowlist; null counts every account and address.</param>
    public Bo1Rule(IBo1Store store, IOptions<Bo1Options> options, TimeProvider time, ILogger<Bo1Rule> logger, IDetectorAllowlist<Bo1Rule>? allowlist = null)
    {
        _store = store;
        _options = options.Value;
        _sharedRanges = _options.SharedNetworks;
        _time = time;
        _logger = logger;
        _allowlist = allowlist;
    }

    /// <summary>
    /// Counts a bounce message refused at end of DATA against its account and client address and decides whether to
    /// escalate. Ignores every other submission. Returns the stored block events to publish.
    /// </summary>
    public async Task<IReadOnlyList<DetectorBlock>> RecordSubmissionAsync(MessageSubmitted message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Outcome != SubmissionOutcomes.Refused || message.RefusalCode != RuleCodes.Bo1)
        {
            return [];
        }

        if (message.RefusalStage != DataStage)
        {
            Log.RefusalAtOtherStage(_logger, message.EventId, message.RefusalStage ?? "unknown");
            return [];
        }

        var subjects = SubjectsOf(message);
        if (subjects.Count == 0)
        {
            return [];
        }

        var now = _time.GetUtcNow();
        if (message.SubmittedAt < now - _options.RetentionDuration)
        {
            Log.EventBeyondRetention(_logger, message.EventId, message.SubmittedAt, _options.Retention);
            return [];
        }

        if (_allowlist?.FindCovering(RuleCodes.Bo1, message.Account, message.ClientIp, now) is { } entry)
        {
            Log.Allowlisted(_logger, message.EventId, message.GatewayMessageId, entry);
            return [];
        }

        var refusal = new Bo1Refusal(message.EventId, message.GatewayMessageId, message.SubmittedAt, DecisionSpans.CurrentTraceParent());
        var result = await _store.RecordRefusalAsync(refusal, subjects, now, _options.WindowDuration, _options.EscalateAfter, (subject, nearby) => Bo1Decision.Decide(subject, nearby, _options, now), cancellationToken);
        LogOutcome(message, result);
        return result.Blocks;
    }

    public Task RecordLiftAsync(AccountUnblocked message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);

        // BO1 blocks a whole account, never an account on one address, so the lift's address does not matter.
        return RecordLiftAsync(message.EventId, BlockSubject.ForAccount(message.Account), message.Codes, message.UnblockedAt, message.Operator, cancellationToken);
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

    /// <summary>Deletes refusals and event marks past the retention, and blocks that ended 90 days ago.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var deleted = await _store.PruneAsync(now - _options.RetentionDuration, now - BlockRetention, cancellationToken);
        Log.Pruned(_logger, deleted);
        return deleted;
    }

    /// <summary>
    /// Returns the subjects a refusal counts against: the account when there is one, and the IPv4 address or IPv6
    /// /64 prefix unless the address is in a shared range.
    /// </summary>
    public IReadOnlyList<BlockSubject> SubjectsOf(MessageSubmitted message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var subjects = new List<BlockSubject>();
        if (message.Account is not null)
        {
            subjects.Add(BlockSubject.ForAccount(message.Account));
        }

        if (!IPAddress.TryParse(message.ClientIp, out var address))
        {
            Log.InvalidClientIp(_logger, message.EventId, message.ClientIp);
            return subjects;
        }

        address = IpKeys.Normalize(address);
        if (_sharedRanges.Any(range => range.Contains(address)))
        {
            Log.SharedAddressNotCounted(_logger, message.EventId, address.ToString());
            return subjects;
        }

        subjects.Add(BlockSubject.ForIp(IpKeys.BlockKey(address)));
        return subjects;
    }

    private async Task RecordLiftAsync(Guid eventId, BlockSubject subject, IReadOnlyList<string> codes, DateTimeOffset liftedAt, string operatorName, CancellationToken cancellationToken)
    {
        if (!codes.Contains(RuleCodes.Bo1, StringComparer.OrdinalIgnoreCase))
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

    /// <summary>Normalises the subject of an IP lift: a single IPv6 address means its /64 prefix, as BO1 blocks it.</summary>
    private static string IpSubjectOf(string text)
    {
        if (!text.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(text, out var address))
        {
            return IpKeys.BlockKey(address);
        }

        return IpKeys.TryNormalizeSubject(text, out var subject) ? subject : text;
    }

    private void LogOutcome(MessageSubmitted message, Bo1RefusalResult result)
    {
        if (result.Duplicate)
        {
            Log.EventAlreadyApplied(_logger, message.EventId);
        }

        if (result.Duplicate)
        {
            DecisionSpans.Record(RuleCodes.Bo1, "duplicate");
        }

        foreach (var subject in result.Subjects)
        {
            var outcome = DecisionSpans.Outcome(duplicate: false, subject.NewBlock is not null, subject.AlreadyBlocked);
            DecisionSpans.Record(RuleCodes.Bo1, outcome, subject.Nearby, subject.NewBlock);
            if (subject.NewBlock is { } block)
            {
                Log.Blocked(_logger, subject.Subject.ToString(), block.EventId, subject.Nearby, block.ExpiresAt!.Value);
            }
            else if (subject.AlreadyBlocked)
            {
                Log.AlreadyBlocked(_logger, subject.Subject.ToString(), message.EventId);
            }
            else
            {
                Log.BelowThreshold(_logger, subject.Subject.ToString(), message.GatewayMessageId, subject.Nearby, _options.Window);
            }
        }

        var created = result.Subjects.Select(subject => subject.NewBlock?.EventId).ToHashSet();
        foreach (var pending in result.Blocks.Where(block => !created.Contains(block.EventId)))
        {
            Log.BlockPublishing(_logger, pending.EventId, pending.Subject.ToString(), message.EventId);
        }
    }
}
