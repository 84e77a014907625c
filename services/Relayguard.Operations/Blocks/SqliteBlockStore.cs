using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relayguard.Contracts;
using Relayguard.Operations.Audit;
using Relayguard.Operations.Webhooks;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Blocks;

/// <summary>
/// <see cref="IBlockStore"/> in the <c>blocks</c> table of the shared SQLite file. A change, its audit entries, its
/// webhook event and its <c>processed_events</c> mark are written in one transaction.
/// </summary>
public sealed partial class SqliteBlockStore : IBlockStore
{
    /// <summary>The <c>processed_events</c> consumer name of block events, shared by the consumers and manual blocks.</summary>
    internal const string BlockEventsConsumer = "operations-blocks";

    /// <summary>The <c>processed_events</c> consumer name of lift events.</summary>
    internal const string LiftEventsConsumer = "operations-lifts";

    private const int MaxSubjectHistory = 100;

    private const string Columns = """
        id, kind, subject, code, scope, reason, evidence, blocked_at, expires_at, set_by,
        lifted_at, lifted_by, lift_reason, evidence_pruned_at, event_id
        """;

    private const string ActiveCondition = "lifted_at IS NULL AND (expires_at IS NULL OR expires_at > $now)";

    // substr in place of LIKE, because an account name may contain the LIKE wildcards % and _.
    private const string SubjectCondition =
        "($subject IS NULL OR subject = $subject OR ($prefix IS NOT NULL AND substr(subject, 1, length($prefix)) = $prefix))";

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _timeProvider;
    private readonly IOptionsMonitor<OperationsOptions> _options;
    private readonly ILogger<SqliteBlockStore> _logger;

    public SqliteBlockStore(SqliteDatabase database, TimeProvider timeProvider, IOptionsMonitor<OperationsOptions> options, ILogger<SqliteBlockStore> logger)
    {
        _database = database;
        _timeProvider = timeProvider;
        _options = options;
        _logger = logger;
        OperationsSchema.EnsureCreated(database);
    }

    public bool Record(NewBlock block, string actor)
    {
        using var connection = _database.Open();
        using var transaction = SqliteDatabase.BeginWrite(connection);
        if (!Record(connection, transaction, block, actor, _timeProvider.GetUtcNow()))
        {
            BlocksLog.BlockEventDuplicate(_logger, block.EventId);
            return false;
        }

        transaction.Commit();
        BlocksLog.BlockRecorded(_logger, block.Code, block.Kind, block.Subject, block.Scope, BlocksLog.FormatExpiry(block.ExpiresAt), actor, block.EventId);
        return true;
    }

    /// <summary>Inserts the block and its audit entry inside the caller's transaction. Returns false when the event was recorded before.</summary>
    internal static bool Record(SqliteConnection connection, SqliteTransaction transaction, NewBlock block, string actor, DateTimeOffset now)
    {
        if (!ProcessedEvents.TryMark(connection, transaction, BlockEventsConsumer, block.EventId, now))
        {
            return false;
        }

        // The unique event_id is a second guard, for processed_events marks that were pruned.
        var inserted = SqliteDatabase.Execute(
            connection,
            """
            INSERT OR IGNORE INTO blocks (kind, subject, code, scope, reason, evidence, blocked_at, expires_at, set_by, event_id)
            VALUES ($kind, $subject, $code, $scope, $reason, $evidence, $blocked, $expires, $setBy, $event);
            """,
            transaction,
            ("$kind", block.Kind),
            ("$subject", block.Subject),
            ("$code", block.Code),
            ("$scope", block.Scope),
            ("$reason", block.Reason),
            ("$evidence", JsonSerializer.Serialize(block.Evidence, JsonSerializerOptions.Web)),
            ("$blocked", block.BlockedAt.ToUnixTimeMilliseconds()),
            ("$expires", block.ExpiresAt?.ToUnixTimeMilliseconds()),
            ("$setBy", actor),
            ("$event", block.EventId.ToString("N")));
        if (inserted == 0)
        {
            return false;
        }

        SqliteAuditLog.Append(connection, transaction, BlockChanges.BlockAudit(block, actor, now));

        // The webhook leaves out the sample addresses, which must be deletable 90 days after the lift; the path leads to them.
        SqliteWebhookQueue.Enqueue(connection, transaction, BlockChanges.BlockEventType(block.Kind), block.EventId, block.BlockedAt, BlockChanges.BlockWebhook(block, actor), now);
        return true;
    }

    public Page<BlockRecord> List(BlockQuery query)
    {
        var conditions = new List<string>
        {
            "($kind IS NULL OR kind = $kind)",
            "($code IS NULL OR code = $code)",
            SubjectCondition,
            "($afterTime IS NULL OR blocked_at < $afterTime OR (blocked_at = $afterTime AND id < $afterId))",
        };
        conditions.Add(query.State switch
        {
            BlockStates.Active => ActiveCondition,
            BlockStates.Expired => "lifted_at IS NULL AND expires_at IS NOT NULL AND expires_at <= $now",
            BlockStates.Lifted => "lifted_at IS NOT NULL",
            BlockStates.All => "1 = 1",
            _ => throw new ArgumentException($"Unknown state filter '{query.State}'.", nameof(query)),
        });

        long? afterTime = null;
        long? afterId = null;
        if (query.After is not null)
        {
            if (IBlockStore.TryDecodeCursor(query.After, query, out var time, out var id) != PageCursorCheck.Valid)
            {
                throw new ArgumentException($"Invalid cursor '{query.After}' for these filters.", nameof(query));
            }

            (afterTime, afterId) = (time, id);
        }

        var now = _timeProvider.GetUtcNow();
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {Columns} FROM blocks
            WHERE {string.Join(" AND ", conditions)}
            ORDER BY blocked_at DESC, id DESC
            LIMIT $take;
            """;
        command.Parameters.AddWithValue("$kind", (object?)query.Kind ?? DBNull.Value);
        command.Parameters.AddWithValue("$code", (object?)query.Code ?? DBNull.Value);
        command.Parameters.AddWithValue("$subject", (object?)query.Subject ?? DBNull.Value);
        command.Parameters.AddWithValue("$prefix", (object?)query.SubjectPrefix ?? DBNull.Value);
        command.Parameters.AddWithValue("$afterTime", (object?)afterTime ?? DBNull.Value);
        command.Parameters.AddWithValue("$afterId", (object?)afterId ?? DBNull.Value);
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$take", query.Limit + 1);

        var items = ReadAll(command, now, includeEvidence: false);
        if (items.Count <= query.Limit)
        {
            return new Page<BlockRecord>(items, null);
        }

        items.RemoveAt(query.Limit);
        return new Page<BlockRecord>(items, IBlockStore.EncodeCursor(items[^1], query));
    }

    public IReadOnlyList<BlockRecord> ForSubject(string kind, string subject)
    {
        var now = _timeProvider.GetUtcNow();
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        // A range on the subject in place of the shared condition, so the subject index serves every show and lift:
        // the per-address subjects "erin/ADDRESS" sort from "erin/" up to "erin0", '0' being the character after '/'.
        var prefix = BlockSubjects.PerAddressPrefix(kind, subject);
        var perAddress = prefix is null ? string.Empty : " OR (subject >= $prefix AND subject < $prefixEnd)";
        command.CommandText = $"""
            SELECT {Columns} FROM blocks
            WHERE kind = $kind AND (subject = $subject{perAddress})
            ORDER BY blocked_at DESC, id DESC
            LIMIT {MaxSubjectHistory};
            """;
        command.Parameters.AddWithValue("$kind", kind);
        command.Parameters.AddWithValue("$subject", subject);
        if (prefix is not null)
        {
            command.Parameters.AddWithValue("$prefix", prefix);
            command.Parameters.AddWithValue("$prefixEnd", prefix[..^1] + "0");
        }
        return ReadAll(command, now, includeEvidence: true);
    }

    public IReadOnlyList<Guid> FindEnded(IReadOnlyList<Guid> eventIds)
    {
        var ended = new List<Guid>();
        if (eventIds.Count == 0)
        {
            return ended;
        }

        var now = _timeProvider.GetUtcNow();
        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        foreach (var eventId in eventIds)
        {
            if (FindByEvent(connection, transaction, eventId, now) is { State: not BlockStates.Active })
            {
                ended.Add(eventId);
            }
        }

        return ended;
    }

    public IReadOnlyList<(string Code, long Count)> CountActive()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT code, COUNT(*) FROM blocks WHERE {ActiveCondition} GROUP BY code;";
        command.Parameters.AddWithValue("$now", _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        using var reader = command.ExecuteReader();
        var counts = new List<(string, long)>();
        while (reader.Read())
        {
            counts.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        return counts;
    }

    internal static BlockRecord? FindByEvent(SqliteConnection connection, SqliteTransaction transaction, Guid eventId, DateTimeOffset now)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT {Columns} FROM blocks WHERE event_id = $event;";
        command.Parameters.AddWithValue("$event", eventId.ToString("N"));
        return ReadAll(command, now, includeEvidence: true).SingleOrDefault();
    }

    private static List<BlockRecord> ReadAll(SqliteCommand command, DateTimeOffset now, bool includeEvidence)
    {
        var items = new List<BlockRecord>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            items.Add(ReadBlock(reader, now, includeEvidence));
        }

        return items;
    }

    private static BlockRecord ReadBlock(SqliteDataReader reader, DateTimeOffset now, bool includeEvidence)
    {
        var evidence = JsonSerializer.Deserialize<BlockEvidence>(reader.GetString(6), JsonSerializerOptions.Web)!;
        var expiresAt = ReadTime(reader, 8);
        var liftedAt = ReadTime(reader, 10);
        var state = liftedAt is not null ? BlockStates.Lifted
            : expiresAt is { } expiry && expiry <= now ? BlockStates.Expired
            : BlockStates.Active;

        return new BlockRecord
        {
            Id = reader.GetInt64(0),
            Kind = reader.GetString(1),
            Subject = reader.GetString(2),
            Code = reader.GetString(3),
            Scope = reader.GetString(4),
            Reason = reader.GetString(5),
            State = state,
            BlockedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
            ExpiresAt = expiresAt,
            SetBy = reader.GetString(9),
            LiftedAt = liftedAt,
            LiftedBy = reader.IsDBNull(11) ? null : reader.GetString(11),
            LiftReason = reader.IsDBNull(12) ? null : reader.GetString(12),
            EvidenceSummary = evidence.Summary,
            Evidence = includeEvidence ? evidence : null,
            EvidenceSamplesDeletedAt = ReadTime(reader, 13),
            EventId = Guid.ParseExact(reader.GetString(14), "N"),
        };
    }

    private static DateTimeOffset? ReadTime(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));
}
