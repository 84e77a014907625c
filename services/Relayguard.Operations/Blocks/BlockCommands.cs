using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Logging;
using Relayguard.Contracts;

namespace Relayguard.Operations.Blocks;

/// <summary>
/// An operator's changes to blocks: lifts and manual blocks. This class builds the events, and the
/// <see cref="IBlockStore"/> stores each change together with its event, as its implementations describe.
/// </summary>
public sealed class BlockCommands(IBlockStore store, TimeProvider timeProvider, ILogger<BlockCommands> logger)
{
    /// <summary>
    /// Lifts the subject's active blocks (every code, or only <paramref name="code"/>) and publishes
    /// <see cref="AccountUnblocked"/> or <see cref="IpUnblocked"/>. Returns null when nothing matching was active.
    /// </summary>
    /// <exception cref="EventPublishException">The event could not be published, and the store did not keep the lift.</exception>
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
        var lift = new BlockLift { Kind = kind, Subject = subject, Operator = operatorName, Reason = reason, EventId = Guid.CreateVersion7(now) };

        var lifted = await store.LiftAsync(
            lift,
            code,
            now,
            codes => CreateUnblockEvent(lift, codes, now),
            (message, eventId, token) => EventPublishing.PublishAsync(publishEndpoint, message, eventId, logger, kind, subject, operatorName, token),
            cancellationToken);
        if (lifted.Count == 0)
        {
            return null;
        }

        var codes = lifted.Select(block => block.Code).Distinct().ToList();
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

    /// <summary>
    /// Records a manual block (code OP1) and publishes <see cref="AccountBlocked"/> or <see cref="IpBlocked"/>. The new
    /// block replaces an active OP1 block of the same subject and scope; the result names the blocks it replaced.
    /// </summary>
    /// <exception cref="EventPublishException">The event could not be published, and the store did not keep the block.</exception>
    public async Task<ManualBlockResult> BlockAsync(ManualBlock manual, string operatorName, IPublishEndpoint publishEndpoint, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var block = new NewBlock
        {
            EventId = Guid.CreateVersion7(now),
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
        var result = await store.BlockAsync(
            block,
            operatorName,
            CreateBlockEvent(block),
            (message, eventId, token) => EventPublishing.PublishAsync(publishEndpoint, message, eventId, logger, block.Kind, block.Subject, operatorName, token),
            cancellationToken);
        BlocksLog.BlockRecorded(logger, block.Code, block.Kind, block.Subject, block.Scope, BlocksLog.FormatExpiry(block.ExpiresAt), operatorName, block.EventId);
        return result;
    }

    private static object CreateUnblockEvent(BlockLift lift, IReadOnlyList<string> codes, DateTimeOffset now)
    {
        if (lift.Kind == BlockKinds.Account)
        {
            var (account, onIp) = BlockSubjects.SplitAccount(lift.Subject);
            return new AccountUnblocked
            {
                EventId = lift.EventId,
                Account = account,
                OnIp = onIp,
                Codes = codes,
                Operator = lift.Operator,
                Reason = lift.Reason,
                UnblockedAt = now,
            };
        }

        return new IpUnblocked
        {
            EventId = lift.EventId,
            Ip = lift.Subject,
            Codes = codes,
            Operator = lift.Operator,
            Reason = lift.Reason,
            UnblockedAt = now,
        };
    }

    private static object CreateBlockEvent(NewBlock block)
    {
        if (block.Kind == BlockKinds.Account)
        {
            var (account, onIp) = BlockSubjects.SplitAccount(block.Subject);
            return new AccountBlocked
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
            };
        }

        return new IpBlocked
        {
            EventId = block.EventId,
            Ip = block.Subject,
            Code = block.Code,
            Scope = block.Scope,
            Reason = block.Reason,
            Evidence = block.Evidence,
            BlockedAt = block.BlockedAt,
            ExpiresAt = block.ExpiresAt,
        };
    }
}
