using System.Text.Json;
using Microsoft.Data.Sqlite;
using Relayguard.Contracts;
using Relayguard.Operations.Audit;
using Relayguard.Operations.Webhooks;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Blocks;

/// <summary>Lifts of blocks, by an operator through the API or from a lift event that another process published.</summary>
public sealed partial class BlockStore
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
        DateTimeOffset now)
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
            AuditLog.Append(connection, transaction, new AuditEntry
            {
                At = now,
                Actor = lift.Operator,
                Action = AuditActions.Lift,
                Kind = lift.Kind,
                Subject = lift.Subject,
                Code = code,
                Reason = lift.Reason,
                Detail = JsonSerializer.SerializeToElement(
                    new { BlockIds = lifted.Where(block => block.Code == code).Select(block => block.Id), lift.EventId },
                    JsonSerializerOptions.Web),
            });
        }

        if (lifted.Count > 0)
        {
            WebhookQueue.Enqueue(
                connection,
                transaction,
                lift.Kind == BlockKinds.Account ? nameof(AccountUnblocked) : nameof(IpUnblocked),
                lift.EventId,
                now,
                new
                {
                    lift.Kind,
                    lift.Subject,
                    Codes = lifted.Select(block => block.Code).Distinct().ToList(),
                    lift.Operator,
                    lift.Reason,
                    LiftedAt = now,
                    BlockIds = lifted.Select(block => block.Id).ToList(),
                },
                now);
        }

        return lifted;
    }

    /// <summary>
    /// Applies a lift published elsewhere (an <see cref="AccountUnblocked"/> or <see cref="IpUnblocked"/> event).
    /// Blocks set after the lift's time stay active. Returns false when the event was applied before.
    /// </summary>
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
