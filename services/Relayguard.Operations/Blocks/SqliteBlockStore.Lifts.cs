using System.Text.Json;
using Microsoft.Data.Sqlite;
using Relayguard.Contracts;
using Relayguard.Operations.Audit;
using Relayguard.Operations.Webhooks;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Blocks;

/// <summary>Lifts of blocks, by an operator through the API or from a lift event that another process published.</summary>
public sealed partial class SqliteBlockStore
{
    /// <summary>
    /// Lifts the active blocks of a subject that were set at or before <paramref name="blockedUpTo"/>, all codes
    /// or only <paramref name="codes"/>, inside the caller's transaction, and appends one audit entry per code.
    /// Returns the lifted blocks, which is empty when nothing was active.
    /// </summary>
    internal static IReadOnlyList<BlockRecord> LiftActive(
        SqliteConnection connection,
        SqliteTransaction transaction,
        BlockLift lift,
        IReadOnlyCollection<string>? codes,
        DateTimeOffset blockedUpTo,
        DateTimeOffset now,
        string? scope = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            SELECT {Columns} FROM blocks
            WHERE kind = $kind AND subject = $subject AND blocked_at <= $upTo AND {ActiveCondition}
            ORDER BY blocked_at DESC, id DESC;
            """;
        command.Parameters.AddWithValue("$kind", lift.Kind);
        command.Parameters.AddWithValue("$subject", lift.Subject);
        command.Parameters.AddWithValue("$upTo", blockedUpTo.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        var active = ReadAll(command, now, includeEvidence: false)
            .Where(block => codes is null || codes.Contains(block.Code, StringComparer.Ordinal))
            .Where(block => scope is null || block.Scope == scope)
            .ToList();

        var lifted = new List<BlockRecord>(active.Count);
        foreach (var block in active)
        {
            SqliteDatabase.Execute(
                connection,
                "UPDATE blocks SET lifted_at = $at, lifted_by = $by, lift_reason = $reason WHERE id = $id;",
                transaction,
                ("$at", now.ToUnixTimeMilliseconds()),
                ("$by", lift.Operator),
                ("$reason", lift.Reason),
                ("$id", block.Id));
            lifted.Add(block with { State = BlockStates.Lifted, LiftedAt = now, LiftedBy = lift.Operator, LiftReason = lift.Reason });
        }

        foreach (var code in lifted.Select(block => block.Code).Distinct())
        {
            SqliteAuditLog.Append(connection, transaction, BlockChanges.LiftAudit(lift, code, lifted, now));
        }

        if (lifted.Count > 0)
        {
            SqliteWebhookQueue.Enqueue(connection, transaction, BlockChanges.LiftEventType(lift.Kind), lift.EventId, now, BlockChanges.LiftWebhook(lift, lifted, now), now);
        }

        return lifted;
    }

    /// <summary>
    /// Lifts and publishes while the transaction is open, and commits only after the publish succeeded, so a lift
    /// that could not be announced to the gateways is rolled back and the operator can retry. The event is marked
    /// as processed in the same transaction, so this service's own consumers skip it when it arrives.
    /// </summary>
    public async Task<IReadOnlyList<BlockRecord>> LiftAsync(
        BlockLift lift,
        string? code,
        DateTimeOffset now,
        Func<IReadOnlyList<string>, object> createEvent,
        EventPublisher publish,
        CancellationToken cancellationToken)
    {
        using var connection = _database.Open();
        using var transaction = SqliteDatabase.BeginWrite(connection);
        var lifted = LiftActive(connection, transaction, lift, code is null ? null : [code], now, now);
        if (lifted.Count == 0)
        {
            return lifted;
        }

        ProcessedEvents.TryMark(connection, transaction, LiftEventsConsumer, lift.EventId, now);
        await publish(createEvent(lifted.Select(block => block.Code).Distinct().ToList()), lift.EventId, cancellationToken);
        transaction.Commit();
        return lifted;
    }

    /// <summary>Records the block and publishes its event while the transaction is open, so a block that could not be announced is rolled back.</summary>
    public async Task<ManualBlockResult> BlockAsync(NewBlock block, string actor, object message, EventPublisher publish, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        using var connection = _database.Open();
        using var transaction = SqliteDatabase.BeginWrite(connection);
        var replaced = LiftActive(connection, transaction, BlockChanges.Replacement(block, actor), [block.Code], now, now, block.Scope);
        Record(connection, transaction, block, actor, now);
        await publish(message, block.EventId, cancellationToken);
        var record = FindByEvent(connection, transaction, block.EventId, now)!;
        transaction.Commit();
        return new ManualBlockResult(record, replaced);
    }

    public bool ApplyLift(BlockLift lift, IReadOnlyCollection<string> codes, DateTimeOffset unblockedAt)
    {
        var now = _timeProvider.GetUtcNow();
        using var connection = _database.Open();
        using var transaction = SqliteDatabase.BeginWrite(connection);
        if (!ProcessedEvents.TryMark(connection, transaction, LiftEventsConsumer, lift.EventId, now))
        {
            return false;
        }

        var lifted = LiftActive(connection, transaction, lift, codes, unblockedAt, now);
        transaction.Commit();
        if (lifted.Count > 0)
        {
            var liftedCodes = string.Join(", ", lifted.Select(block => block.Code).Distinct());
            BlocksLog.LiftEventApplied(_logger, lift.Operator, liftedCodes, lift.Kind, lift.Subject, lift.EventId, lift.Reason);
        }

        return true;
    }
}
