using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Logging;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Blocks;

/// <summary>
/// An operator's changes to blocks: lifts and manual blocks. Each change is written, its event published, and
/// only then committed, so a change that could not be announced to the gateways is rolled back and the
/// operator can retry. The events are marked as processed in the same transaction, so this service's own
/// consumers skip them when they arrive.
/// </summary>
public sealed class BlockCommands(SqliteDatabase database, TimeProvider timeProvider, ILogger<BlockCommands> logger)
{
    /// <summary>
    /// Lifts the subject's active blocks (every code, or only <paramref name="code"/>) and publishes
    /// <see cref="AccountUnblocked"/> or <see cref="IpUnblocked"/>. Returns null when nothing matching was active.
    /// </summary>
    /// <exception cref="EventPublishException">The event could not be published, so nothing was lifted.</exception>
    public async Task<LiftResult?> LiftAsync(
        string kind,
        string subject,
        string? code,
        string operatorName,
        string reason,
        IPublishEndpoint publishEndpoint,
        CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var lift = new BlockLift { Kind = kind, Subject = subject, Operator = operatorName, Reason = reason, EventId = Guid.NewGuid() };

        using var connection = database.Open();
        using var transaction = SqliteDatabase.BeginWrite(connection);
        var lifted = BlockStore.LiftActive(connection, transaction, lift, code is null ? null : [code], now, now);
        if (lifted.Count == 0)
        {
            return null;
        }

        var codes = lifted.Select(block => block.Code).Distinct().ToList();
        ProcessedEvents.TryMark(connection, transaction, BlockStore.LiftEventsConsumer, lift.EventId, now);
        if (kind == BlockKinds.Account)
        {
            var (account, onIp) = BlockSubjects.SplitAccount(subject);
            await PublishAsync(publishEndpoint, kind, subject, operatorName, new AccountUnblocked
            {
                EventId = lift.EventId,
                Account = account,
                OnIp = onIp,
                Codes = codes,
                Operator = operatorName,
                Reason = reason,
                UnblockedAt = now,
            }, lift.EventId, cancellationToken);
        }
        else
        {
            await PublishAsync(publishEndpoint, kind, subject, operatorName, new IpUnblocked
            {
                EventId = lift.EventId,
                Ip = subject,
                Codes = codes,
                Operator = operatorName,
                Reason = reason,
                UnblockedAt = now,
            }, lift.EventId, cancellationToken);
        }

        transaction.Commit();
        BlocksLog.BlocksLifted(logger, operatorName, string.Join(", ", codes), kind, subject, lift.EventId, reason);
        return new LiftResult
        {
            Kind = kind,
            Subject = subject,
            Codes = codes,
            Operator = operatorName,
            Reason = reason,
            LiftedAt = now,
            EventId = lift.EventId,
            Blocks = lifted,
        };
    }

    /// <summary>Records a manual block (code OP1) and publishes <see cref="AccountBlocked"/> or <see cref="IpBlocked"/>.</summary>
    /// <exception cref="EventPublishException">The event could not be published, so nothing was blocked.</exception>
    public async Task<BlockRecord> BlockAsync(ManualBlock manual, string operatorName, IPublishEndpoint publishEndpoint, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var block = new NewBlock
        {
            EventId = Guid.NewGuid(),
            Kind = manual.Kind,
            Subject = manual.Subject,
            Code = RuleCodes.Op1,
            Scope = manual.Scope,
            Reason = manual.Reason,
            Evidence = new BlockEvidence
            {
                Summary = $"Blocked by hand by {operatorName}: {manual.Reason}",
                TraceId = Activity.Current?.TraceId.ToHexString(),
            },
            BlockedAt = now,
            ExpiresAt = manual.Duration is { } duration ? now + duration : null,
        };
        using var connection = database.Open();
        using var transaction = SqliteDatabase.BeginWrite(connection);
        BlockStore.Record(connection, transaction, block, operatorName, now);
        if (manual.Kind == BlockKinds.Account)
        {
            var (account, onIp) = BlockSubjects.SplitAccount(manual.Subject);
            await PublishAsync(publishEndpoint, block.Kind, block.Subject, operatorName, new AccountBlocked
            {
                EventId = block.EventId,
                Account = account,
                OnIp = onIp,
                Code = block.Code,
                Scope = block.Scope,
                Reason = block.Reason,
                Evidence = block.Evidence,
                BlockedAt = block.BlockedAt,
                ExpiresAt = block.ExpiresAt,
            }, block.EventId, cancellationToken);
        }
        else
        {
            await PublishAsync(publishEndpoint, block.Kind, block.Subject, operatorName, new IpBlocked
            {
                EventId = block.EventId,
                Ip = manual.Subject,
                Code = block.Code,
                Scope = block.Scope,
                Reason = block.Reason,
                Evidence = block.Evidence,
                BlockedAt = block.BlockedAt,
                ExpiresAt = block.ExpiresAt,
            }, block.EventId, cancellationToken);
        }

        var record = BlockStore.FindByEvent(connection, transaction, block.EventId, now)!;
        transaction.Commit();
        BlocksLog.BlockRecorded(logger, block.Code, block.Kind, block.Subject, block.Scope, BlocksLog.FormatExpiry(block.ExpiresAt), operatorName, block.EventId);
        return record;
    }

    private Task PublishAsync<T>(IPublishEndpoint publishEndpoint, string kind, string subject, string operatorName, T message, Guid eventId, CancellationToken cancellationToken)
        where T : class =>
        EventPublishing.PublishAsync(publishEndpoint, message, eventId, logger, kind, subject, operatorName, cancellationToken);
}
