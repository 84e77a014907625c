using Microsoft.Data.Sqlite;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Rl1;

/// <summary>
/// <see cref="IRl1Store"/> in the shared SQLite file: <c>rl1_messages</c> has one row per relayed message, and
/// <see cref="SqliteBlockLedger"/> keeps <c>rl1_blocks</c> and <c>rl1_lifts</c>. Every update runs in a BEGIN
/// IMMEDIATE transaction together with its <see cref="ProcessedEvents"/> mark.
/// </summary>
public sealed class SqliteRl1Store : IRl1Store
{
    public const string SubmissionConsumer = "rl1-message-submitted";
    public const string AccountLiftConsumer = "rl1-account-unblocked";
    public const string IpLiftConsumer = "rl1-ip-unblocked";

    private static readonly SqliteBlockLedger Ledger = new("rl1");

    private readonly SqliteDatabase _database;

    public SqliteRl1Store(SqliteDatabase database)
    {
        _database = database;
        ProcessedEvents.EnsureSchema(database);
        Ledger.EnsureSchema(database);
        database.EnsureSchema("""
            CREATE TABLE IF NOT EXISTS rl1_messages (
                kind TEXT NOT NULL,
                subject TEXT NOT NULL COLLATE NOCASE,
                submitted_at INTEGER NOT NULL,
                event_id TEXT NOT NULL,
                gateway_message_id TEXT NOT NULL,
                recipients INTEGER NOT NULL,
                PRIMARY KEY (kind, subject, submitted_at, event_id)
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS rl1_messages_submitted ON rl1_messages (submitted_at);
            """);
        database.EnsureColumn("rl1_messages", "trace_parent", "TEXT");
    }

    public Task<Rl1Result> RecordAsync(Rl1Submission submission, DateTimeOffset since, DateTimeOffset now, Rl1Limits limits, Func<IReadOnlyList<Rl1Submission>, DetectorBlock?> decide, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(decide);
        return _database.WriteAsync((connection, transaction) =>
        {
            if (!ProcessedEvents.TryMark(connection, transaction, SubmissionConsumer, submission.EventId, now))
            {
                var unpublished = Ledger.FindUnpublished(connection, transaction, submission.EventId);
                return new Rl1Result { Duplicate = true, Block = unpublished.FirstOrDefault() };
            }

            var subject = submission.Subject;
            SqliteDatabase.Execute(
                connection,
                """
                INSERT INTO rl1_messages (kind, subject, submitted_at, event_id, gateway_message_id, recipients, trace_parent)
                VALUES ($kind, $subject, $submittedAt, $eventId, $messageId, $recipients, $traceParent);
                """,
                transaction,
                ("$kind", subject.Kind),
                ("$subject", subject.Value),
                ("$submittedAt", submission.SubmittedAt.ToUnixTimeMilliseconds()),
                ("$eventId", submission.EventId.ToString("N")),
                ("$messageId", submission.GatewayMessageId),
                ("$recipients", submission.Recipients),
                ("$traceParent", submission.TraceParent));

            var from = Ledger.CountFrom(connection, transaction, subject, RuleCodes.Rl1, since);
            // Nearly every subject is below its limits or blocked already, and for them the sums are enough. The rows
            // are read only when they can make a block.
            var (messages, recipients) = SumSince(connection, transaction, subject, from);
            var result = new Rl1Result { Messages = messages, Recipients = recipients };
            var active = Ledger.FindActive(connection, transaction, subject, RuleCodes.Rl1, now);
            if (active is not null)
            {
                var stale = active.IsStale(now);
                result = result with { AlreadyBlocked = true, Block = stale ? active.Block : null };
            }
            else if (limits.AreReachedBy(messages, recipients) && decide(ReadSince(connection, transaction, subject, from)) is { } block)
            {
                Ledger.Insert(connection, transaction, block, submission.EventId);
                result = result with { Block = block, BlockIsNew = true };
            }

            return result;
        });
    }

    public Task<bool> RecordLiftAsync(Guid eventId, BlockSubject subject, DateTimeOffset liftedAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var consumer = subject.Kind == BlockSubject.AccountKind ? AccountLiftConsumer : IpLiftConsumer;
        return Task.FromResult(Ledger.TryRecordLift(_database, consumer, eventId, subject, RuleCodes.Rl1, liftedAt, now));
    }

    public Task MarkPublishedAsync(Guid blockEventId, DateTimeOffset now, CancellationToken cancellationToken) =>
        Ledger.MarkPublishedAsync(_database, blockEventId, now);

    public Task<int> PruneAsync(DateTimeOffset before, DateTimeOffset blocksEndedBefore, CancellationToken cancellationToken)
    {
        using var connection = _database.Open();
        using var transaction = SqliteDatabase.BeginWrite(connection);
        var cutoff = before.ToUnixTimeMilliseconds();
        var deleted = SqliteDatabase.Execute(connection, "DELETE FROM rl1_messages WHERE submitted_at < $cutoff;", transaction, ("$cutoff", cutoff));
        deleted += SqliteDatabase.Execute(
            connection,
            "DELETE FROM processed_events WHERE consumer IN ($submission, $account, $ip) AND processed_at < $cutoff;",
            transaction,
            ("$submission", SubmissionConsumer),
            ("$account", AccountLiftConsumer),
            ("$ip", IpLiftConsumer),
            ("$cutoff", cutoff));
        deleted += Ledger.Prune(connection, transaction, blocksEndedBefore, before);
        transaction.Commit();
        return Task.FromResult(deleted);
    }

    private static (int Messages, int Recipients) SumSince(SqliteConnection connection, SqliteTransaction transaction, BlockSubject subject, DateTimeOffset from) =>
        SqliteDatabase.Query(
            connection,
            "SELECT COUNT(*), COALESCE(SUM(recipients), 0) FROM rl1_messages WHERE kind = $kind AND subject = $subject AND submitted_at > $from;",
            transaction,
            reader => reader.Read() ? (reader.GetInt32(0), reader.GetInt32(1)) : (0, 0),
            ("$kind", subject.Kind),
            ("$subject", subject.Value),
            ("$from", from.ToUnixTimeMilliseconds()));

    private static List<Rl1Submission> ReadSince(SqliteConnection connection, SqliteTransaction transaction, BlockSubject subject, DateTimeOffset from)
    {
        return SqliteDatabase.Query(
            connection,
            """
            SELECT event_id, gateway_message_id, recipients, submitted_at, trace_parent FROM rl1_messages
            WHERE kind = $kind AND subject = $subject AND submitted_at > $from
            ORDER BY submitted_at, event_id;
            """,
            transaction,
            reader =>
            {
                var submissions = new List<Rl1Submission>();
                while (reader.Read())
                {
                    submissions.Add(new Rl1Submission(
                        Guid.ParseExact(reader.GetString(0), "N"),
                        subject,
                        reader.GetString(1),
                        reader.GetInt32(2),
                        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                        reader.IsDBNull(4) ? null : reader.GetString(4)));
                }

                return submissions;
            },
            ("$kind", subject.Kind),
            ("$subject", subject.Value),
            ("$from", from.ToUnixTimeMilliseconds()));
    }
}
