using Microsoft.Data.Sqlite;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Bo1;

/// <summary>
/// <see cref="IBo1Store"/> in the shared SQLite file: <c>bo1_refusals</c> contains one row per refused bounce message
/// and subject, and <see cref="SqliteBlockLedger"/> keeps <c>bo1_blocks</c> and <c>bo1_lifts</c>. Every update runs
/// in a BEGIN IMMEDIATE transaction together with its <see cref="ProcessedEvents"/> mark.
/// </summary>
public sealed class SqliteBo1Store : IBo1Store
{
    public const string SubmissionConsumer = "bo1-message-submitted";
    public const string AccountLiftConsumer = "bo1-account-unblocked";
    public const string IpLiftConsumer = "bo1-ip-unblocked";

    private static readonly SqliteBlockLedger Ledger = new("bo1");

    private readonly SqliteDatabase _database;

    public SqliteBo1Store(SqliteDatabase database)
    {
        _database = database;
        ProcessedEvents.EnsureSchema(database);
        Ledger.EnsureSchema(database);
        database.EnsureSchema("""
            CREATE TABLE IF NOT EXISTS bo1_refusals (
                kind TEXT NOT NULL,
                subject TEXT NOT NULL,
                submitted_at INTEGER NOT NULL,
                event_id TEXT NOT NULL,
                gateway_message_id TEXT NOT NULL,
                PRIMARY KEY (kind, subject, submitted_at, event_id)
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS bo1_refusals_submitted ON bo1_refusals (submitted_at);
            """);
        database.EnsureColumn("bo1_refusals", "trace_parent", "TEXT");
    }

    public Task<Bo1RefusalResult> RecordRefusalAsync(
        Bo1Refusal refusal,
        IReadOnlyList<BlockSubject> subjects,
        DateTimeOffset now,
        TimeSpan window,
        int threshold,
        Func<BlockSubject, IReadOnlyList<Bo1Refusal>, DetectorBlock?> decide,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        ArgumentNullException.ThrowIfNull(subjects);
        ArgumentNullException.ThrowIfNull(decide);
        return _database.WriteAsync((connection, transaction) =>
        {
            if (!ProcessedEvents.TryMark(connection, transaction, SubmissionConsumer, refusal.EventId, now))
            {
                var unpublished = Ledger.FindUnpublished(connection, transaction, refusal.EventId);
                return new Bo1RefusalResult { Duplicate = true, Blocks = unpublished };
            }

            var results = new List<Bo1SubjectResult>();
            var blocks = new List<DetectorBlock>();
            foreach (var subject in subjects)
            {
                SqliteDatabase.Execute(
                    connection,
                    """
                    INSERT INTO bo1_refusals (kind, subject, submitted_at, event_id, gateway_message_id, trace_parent)
                    VALUES ($kind, $subject, $submittedAt, $eventId, $messageId, $traceParent);
                    """,
                    transaction,
                    ("$kind", subject.Kind),
                    ("$subject", subject.Value),
                    ("$submittedAt", refusal.SubmittedAt.ToUnixTimeMilliseconds()),
                    ("$eventId", refusal.EventId.ToString("N")),
                    ("$messageId", refusal.GatewayMessageId),
                    ("$traceParent", refusal.TraceParent));

                // Most subjects are below the threshold or blocked already, and for them a count is enough. The rows are
                // read only when they can make a block.
                var from = Ledger.CountFrom(connection, transaction, subject, RuleCodes.Bo1, refusal.SubmittedAt - window).ToUnixTimeMilliseconds();
                var to = (refusal.SubmittedAt + window).ToUnixTimeMilliseconds();
                var count = CountNearby(connection, transaction, subject, from, to);
                var active = Ledger.FindActive(connection, transaction, subject, RuleCodes.Bo1, now);
                if (active is not null)
                {
                    if (active.IsStale(now))
                    {
                        blocks.Add(active.Block);
                    }

                    results.Add(new Bo1SubjectResult(subject, count, AlreadyBlocked: true, NewBlock: null));
                }
                else if (count >= threshold && decide(subject, ReadNearby(connection, transaction, subject, from, to)) is { } block)
                {
                    Ledger.Insert(connection, transaction, block, refusal.EventId);
                    blocks.Add(block);
                    results.Add(new Bo1SubjectResult(subject, count, AlreadyBlocked: false, NewBlock: block));
                }
                else
                {
                    results.Add(new Bo1SubjectResult(subject, count, AlreadyBlocked: false, NewBlock: null));
                }
            }

            return new Bo1RefusalResult { Subjects = results, Blocks = blocks };
        });
    }

    public Task<bool> RecordLiftAsync(Guid eventId, BlockSubject subject, DateTimeOffset liftedAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var consumer = subject.Kind == BlockSubject.AccountKind ? AccountLiftConsumer : IpLiftConsumer;
        return Task.FromResult(Ledger.TryRecordLift(_database, consumer, eventId, subject, RuleCodes.Bo1, liftedAt, now));
    }

    public Task MarkPublishedAsync(Guid blockEventId, DateTimeOffset now, CancellationToken cancellationToken) =>
        Ledger.MarkPublishedAsync(_database, blockEventId, now);

    public Task<IReadOnlyList<DetectorBlock>> ListActiveBlocksAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var connection = _database.Open();
        return Task.FromResult(Ledger.ListActive(connection, now));
    }

    public Task<int> PruneAsync(DateTimeOffset refusalsBefore, DateTimeOffset blocksEndedBefore, CancellationToken cancellationToken)
    {
        using var connection = _database.Open();
        using var transaction = SqliteDatabase.BeginWrite(connection);
        var cutoff = refusalsBefore.ToUnixTimeMilliseconds();
        var deleted = SqliteDatabase.Execute(connection, "DELETE FROM bo1_refusals WHERE submitted_at < $cutoff;", transaction, ("$cutoff", cutoff));
        deleted += SqliteDatabase.Execute(
            connection,
            "DELETE FROM processed_events WHERE consumer IN ($submission, $account, $ip) AND processed_at < $cutoff;",
            transaction,
            ("$submission", SubmissionConsumer),
            ("$account", AccountLiftConsumer),
            ("$ip", IpLiftConsumer),
            ("$cutoff", cutoff));
        deleted += Ledger.Prune(connection, transaction, blocksEndedBefore, refusalsBefore);
        transaction.Commit();
        return Task.FromResult(deleted);
    }

    private static int CountNearby(SqliteConnection connection, SqliteTransaction transaction, BlockSubject subject, long from, long to) =>
        SqliteDatabase.Query(
            connection,
            "SELECT COUNT(*) FROM bo1_refusals WHERE kind = $kind AND subject = $subject AND submitted_at >= $from AND submitted_at <= $to;",
            transaction,
            reader => reader.Read() ? reader.GetInt32(0) : 0,
            ("$kind", subject.Kind),
            ("$subject", subject.Value),
            ("$from", from),
            ("$to", to));

    private static List<Bo1Refusal> ReadNearby(SqliteConnection connection, SqliteTransaction transaction, BlockSubject subject, long from, long to)
    {
        return SqliteDatabase.Query(
            connection,
            """
            SELECT event_id, gateway_message_id, submitted_at, trace_parent FROM bo1_refusals
            WHERE kind = $kind AND subject = $subject AND submitted_at >= $from AND submitted_at <= $to
            ORDER BY submitted_at, event_id;
            """,
            transaction,
            reader =>
            {
                var refusals = new List<Bo1Refusal>();
                while (reader.Read())
                {
                    refusals.Add(new Bo1Refusal(
                        Guid.ParseExact(reader.GetString(0), "N"),
                        reader.GetString(1),
                        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                        reader.IsDBNull(3) ? null : reader.GetString(3)));
                }

                return refusals;
            },
            ("$kind", subject.Kind),
            ("$subject", subject.Value),
            ("$from", from),
            ("$to", to));
    }
}
