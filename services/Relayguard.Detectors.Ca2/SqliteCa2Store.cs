using Microsoft.Data.Sqlite;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca2;

/// <summary>
/// <see cref="ICa2Store"/> in the shared SQLite file: <c>ca2_rejects</c> contains one row per rejected message, and
/// <see cref="SqliteBlockLedger"/> keeps <c>ca2_blocks</c> and <c>ca2_lifts</c>. Every update runs in a
/// BEGIN IMMEDIATE transaction together with its <see cref="ProcessedEvents"/> mark.
/// </summary>
public sealed class SqliteCa2Store : ICa2Store
{
    public const string SubmissionConsumer = "ca2-message-submitted";
    public const string AccountLiftConsumer = "ca2-account-unblocked";
    public const string IpLiftConsumer = "ca2-ip-unblocked";

    // The gateway writes each symbol as NAME(SCORE), and neither part contains a space.
    private const char SymbolSeparator = ' ';

    private static readonly SqliteBlockLedger Ledger = new("ca2");

    private readonly SqliteDatabase _database;

    public SqliteCa2Store(SqliteDatabase database)
    {
        _database = database;
        ProcessedEvents.EnsureSchema(database);
        Ledger.EnsureSchema(database);
        database.EnsureSchema("""
            CREATE TABLE IF NOT EXISTS ca2_rejects (
                kind TEXT NOT NULL,
                subject TEXT NOT NULL,
                on_ip TEXT NOT NULL,
                submitted_at INTEGER NOT NULL,
                event_id TEXT NOT NULL,
                gateway_message_id TEXT NOT NULL,
                spam_score REAL,
                PRIMARY KEY (kind, subject, on_ip, submitted_at, event_id)
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS ca2_rejects_submitted ON ca2_rejects (submitted_at);
            """);
        database.EnsureColumn("ca2_rejects", "spam_symbols", "TEXT");
        database.EnsureColumn("ca2_rejects", "trace_parent", "TEXT");
    }

    public Task<Ca2RejectResult> RecordRejectAsync(
        Ca2Reject reject,
        DateTimeOffset now,
        TimeSpan window,
        int threshold,
        Func<IReadOnlyList<Ca2Reject>, DetectorBlock?> decide,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reject);
        ArgumentNullException.ThrowIfNull(decide);
        return _database.WriteAsync((connection, transaction) =>
        {
            if (!ProcessedEvents.TryMark(connection, transaction, SubmissionConsumer, reject.EventId, now))
            {
                var unpublished = Ledger.FindUnpublished(connection, transaction, reject.EventId);
                return new Ca2RejectResult { Duplicate = true, Block = unpublished.FirstOrDefault() };
            }

            var subject = reject.Subject;
            SqliteDatabase.Execute(
                connection,
                """
                INSERT INTO ca2_rejects (kind, subject, on_ip, submitted_at, event_id, gateway_message_id, spam_score, spam_symbols, trace_parent)
                VALUES ($kind, $subject, $onIp, $submittedAt, $eventId, $messageId, $score, $symbols, $traceParent);
                """,
                transaction,
                ("$kind", subject.Kind),
                ("$subject", subject.Value),
                ("$onIp", subject.OnIp ?? string.Empty),
                ("$submittedAt", reject.SubmittedAt.ToUnixTimeMilliseconds()),
                ("$eventId", reject.EventId.ToString("N")),
                ("$messageId", reject.GatewayMessageId),
                ("$score", reject.SpamScore),
                ("$symbols", reject.SpamSymbols is { Count: > 0 } symbols ? string.Join(SymbolSeparator, symbols) : null),
                ("$traceParent", reject.TraceParent));

            // Most subjects are below the threshold or blocked already, and for them a count is enough. The rows are
            // read only when they can make a block.
            var from = Ledger.CountFrom(connection, transaction, subject, RuleCodes.Ca2, reject.SubmittedAt - window).ToUnixTimeMilliseconds();
            var to = (reject.SubmittedAt + window).ToUnixTimeMilliseconds();
            var count = CountNearby(connection, transaction, subject, from, to);
            var result = new Ca2RejectResult { Nearby = count };
            var active = Ledger.FindActive(connection, transaction, subject, RuleCodes.Ca2, now);
            if (active is not null)
            {
                var stale = active.IsStale(now);
                result = result with { AlreadyBlocked = true, Block = stale ? active.Block : null };
            }
            else if (count >= threshold && decide(ReadNearby(connection, transaction, subject, from, to)) is { } block)
            {
                Ledger.Insert(connection, transaction, block, reject.EventId);
                result = result with { Block = block, BlockIsNew = true };
            }

            return result;
        });
    }

    public Task<bool> RecordLiftAsync(Guid eventId, BlockSubject subject, DateTimeOffset liftedAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var consumer = subject.Kind == BlockSubject.AccountKind ? AccountLiftConsumer : IpLiftConsumer;
        return Task.FromResult(Ledger.TryRecordLift(_database, consumer, eventId, subject, RuleCodes.Ca2, liftedAt, now));
    }

    public Task MarkPublishedAsync(Guid blockEventId, DateTimeOffset now, CancellationToken cancellationToken) =>
        Ledger.MarkPublishedAsync(_database, blockEventId, now);

    public Task<IReadOnlyList<DetectorBlock>> ListActiveBlocksAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var connection = _database.Open();
        return Task.FromResult(Ledger.ListActive(connection, now));
    }

    public Task<int> PruneAsync(DateTimeOffset rejectsBefore, DateTimeOffset blocksEndedBefore, CancellationToken cancellationToken)
    {
        using var connection = _database.Open();
        using var transaction = SqliteDatabase.BeginWrite(connection);
        var cutoff = rejectsBefore.ToUnixTimeMilliseconds();
        var deleted = SqliteDatabase.Execute(connection, "DELETE FROM ca2_rejects WHERE submitted_at < $cutoff;", transaction, ("$cutoff", cutoff));
        deleted += SqliteDatabase.Execute(
            connection,
            "DELETE FROM processed_events WHERE consumer IN ($submission, $account, $ip) AND processed_at < $cutoff;",
            transaction,
            ("$submission", SubmissionConsumer),
            ("$account", AccountLiftConsumer),
            ("$ip", IpLiftConsumer),
            ("$cutoff", cutoff));
        deleted += Ledger.Prune(connection, transaction, blocksEndedBefore, rejectsBefore);
        transaction.Commit();
        return Task.FromResult(deleted);
    }

    private static int CountNearby(SqliteConnection connection, SqliteTransaction transaction, BlockSubject subject, long from, long to) =>
        SqliteDatabase.Query(
            connection,
            "SELECT COUNT(*) FROM ca2_rejects WHERE kind = $kind AND subject = $subject AND on_ip = $onIp AND submitted_at >= $from AND submitted_at <= $to;",
            transaction,
            reader => reader.Read() ? reader.GetInt32(0) : 0,
            ("$kind", subject.Kind),
            ("$subject", subject.Value),
            ("$onIp", subject.OnIp ?? string.Empty),
            ("$from", from),
            ("$to", to));

    private static List<Ca2Reject> ReadNearby(SqliteConnection connection, SqliteTransaction transaction, BlockSubject subject, long from, long to)
    {
        return SqliteDatabase.Query(
            connection,
            """
            SELECT event_id, gateway_message_id, spam_score, submitted_at, spam_symbols, trace_parent FROM ca2_rejects
            WHERE kind = $kind AND subject = $subject AND on_ip = $onIp AND submitted_at >= $from AND submitted_at <= $to
            ORDER BY submitted_at, event_id;
            """,
            transaction,
            reader =>
            {
                var rejects = new List<Ca2Reject>();
                while (reader.Read())
                {
                    rejects.Add(new Ca2Reject(
                        Guid.ParseExact(reader.GetString(0), "N"),
                        subject,
                        reader.GetString(1),
                        reader.IsDBNull(2) ? null : reader.GetDouble(2),
                        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                        reader.IsDBNull(4) ? null : reader.GetString(4).Split(SymbolSeparator),
                        reader.IsDBNull(5) ? null : reader.GetString(5)));
                }

                return rejects;
            },
            ("$kind", subject.Kind),
            ("$subject", subject.Value),
            ("$onIp", subject.OnIp ?? string.Empty),
            ("$from", from),
            ("$to", to));
    }
}
