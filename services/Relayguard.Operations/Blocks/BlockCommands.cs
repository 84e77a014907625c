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
    /// <see cref="AccountUnblocked"/> or <see cref="IpUnblocked"/>. For a plain account name it also lifts the
    /// account's blocks on single addresses, with one event per subject, because the event names the address.
    /// Returns null when nothing matching was active.
    /// </summary>
    /// <exception cref="EventPublishException">
    /// An event could not be published, and the store did not keep that subject's lift. The lifts of subjects before
    /// it stay, and a retry lifts the rest.
    /// </exception>
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
        var lifted = new List<BlockRecord>();
        var eventIds = new List<Guid>();
        foreach (var target in SubjectsToLift(kind, subject, code))
        {
            var lift = new BlockLift { Kind = kind, Subject = target, Operator = operatorName, Reason = reason, EventId = Guid.CreateVersion7(now) };
            var liftedHere = await store.LiftAsync(
                lift,
                code,
                now,
                codes => CreateUnblockEvent(lift, codes, now),
                (message, eventId, token) => EventPublishing.PublishAsync(publishEndpoint, message, eventId, logger, kind, target, operatorName, token),
                cancellationToken);
            if (liftedHere.Count == 0)
            {
                continue;
            }

            BlocksLog.BlocksLifted(logger, operatorName, string.Join(", ", liftedHere.Select(block => block.Code).Distinct()), kind, target, lift.EventId, reason);
            lifted.AddRange(liftedHere);
            eventIds.Add(lift.EventId);
        }

        if (lifted.Count == 0)
        {
            return null;
        }

        return new LiftResult
        {
            Kind = kind,
            Subject = subject,
            Subjects = lifted.Select(block => block.Subject).Distinct().ToList(),
            Codes = lifted.Select(block => block.Code).Distinct().ToList(),
            Operator = operatorName,
            Reason = reason,
            LiftedAt = now,
            EventId = eventIds[0],
            EventIds = eventIds,
            Blocks = lifted,
        };
    }

    /// <summary>
    /// Returns the subject itself, then the per-address subjects of a plain account name that have an active block
    /// of the code, read through the block list so that a long history of ended blocks hides none.
    /// </summary>
    private List<string> SubjectsToLift(string kind, string subject, string? code)
    {
        var subjects = new List<string> { subject };
        if (BlockSubjects.PerAddressPrefix(kind, subject) is null)
        {
            return subjects;
        }

        var query = new BlockQuery { Kind = kind, Code = code, Subject = subject, State = BlockStates.Active, Limit = PageCursor.MaxLimit };
        while (true)
        {
            var page = store.List(query);
            foreach (var block in page.Items)
            {
                if (!subjects.Contains(block.Subject, StringComparer.Ordinal))
                {
                    subjects.Add(block.Subject);
                }
            }

            if (page.Next is null)
            {
                return subjects;
            }

            query = query with { After = page.Next };
        }
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
