using Microsoft.Data.Sqlite;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca1;

/// <summary>
/// <see cref="ICa1Store"/> in the shared SQLite file: <c>ca1_recipients</c> contains one row per account, window and
/// recipient hash, and <see cref="SqliteBlockLedger"/> keeps <c>ca1_blocks</c> and <c>ca1_lifts</c>. Every update
/// runs in a BEGIN IMMEDIATE transaction together with its <see cref="ProcessedEvents"/> mark.
/// </summary>
public sealed class SqliteCa1Store : ICa1Store
{
    public const string SubmissionConsumer = "ca1-message-submitted";
    public const string BounceConsumer = "ca1-delivery-bounced";
    public const string LiftConsumer = "ca1-account-unblocked";

    private const int MaxSamples = 5;

    private static readonly SqliteBlockLedger Ledger = new("ca1");

    private readonly SqliteDatabase _database;

    public SqliteCa1Store(SqliteDatabase database)
    {
        _database = database;
        ProcessedEvents.EnsureSchema(database);
        Ledger.EnsureSchema(database);

        // last_submitted_at is the latest submission time of the recipient from a MessageSubmitted event, null while
        // only a bounce has arrived. invalid_submitted_at is the submission time of the latest invalid-address
        // bounce. A recipient counts as invalid only when its submission is recorded (last_submitted_at is not
        // before invalid_submitted_at), so the invalid recipients are always a subset of the distinct ones. Both
        // times are compared with the last lift to leave out what was submitted before it. trace_parent is the W3C
        // traceparent of the latest submission to the recipient that had one.
        database.EnsureSchema("""
            CREATE TABLE IF NOT EXISTS ca1_recipients (
                account TEXT NOT NULL,
                window_start INTEGER NOT NULL,
                recipient_hash TEXT NOT NULL,
                last_submitted_at INTEGER,
                invalid_submitted_at INTEGER,
                address TEXT,
                reply TEXT,
                bounced_at INTEGER,
                PRIMARY KEY (account, window_start, recipient_hash)
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS ca1_recipients_window ON ca1_recipients (window_start);
            """);
        database.EnsureColumn("ca1_recipients", "trace_parent", "TEXT");
    }

    public Task<Ca1Result> RecordSubmissionAsync(
        Ca1Submission submission,
        DateTimeOffset now,
        Func<Ca1Tally, DetectorBlock?> decide,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        ArgumentNullException.ThrowIfNull(decide);
        return _database.WriteAsync((connection, transaction) =>
        {
            if (!ProcessedEvents.TryMark(connection, transaction, SubmissionConsumer, submission.EventId, now))
            {
                return Duplicate(connection, transaction, submission.EventId);
            }

            foreach (var hash in submission.RecipientHashes.Distinct(StringComparer.Ordinal))
            {
                SqliteDatabase.Execute(
                    connection,
                    """
                    INSERT INTO ca1_recipients (account, window_start, recipient_hash, last_submitted_at, trace_parent)
                    VALUES ($account, $window, $hash, $submittedAt, $traceParent)
                    ON CONFLICT (account, window_start, recipient_hash) DO UPDATE SET
                        trace_parent = CASE
                            WHEN last_submitted_at IS NULL OR excluded.last_submitted_at >= last_submitted_at THEN coalesce(excluded.trace_parent, trace_parent)
                            ELSE trace_parent END,
                        last_submitted_at = max(coalesce(last_submitted_at, excluded.last_submitted_at), excluded.last_submitted_at);
                    """,
                    transaction,
                    ("$account", submission.Account),
                    ("$window", submission.WindowStart.ToUnixTimeMilliseconds()),
                    ("$hash", hash),
                    ("$submittedAt", submission.SubmittedAt.ToUnixTimeMilliseconds()),
                    ("$traceParent", submission.TraceParent));
            }

            var result = Evaluate(connection, transaction, submission.Account, submission.WindowStart, submission.EventId, now, decide);
            return result;
        });
    }

    public Task<Ca1Result> RecordInvalidBounceAsync(
        Ca1InvalidBounce bounce,
        DateTimeOffset now,
        Func<Ca1Tally, DetectorBlock?> decide,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bounce);
        ArgumentNullException.ThrowIfNull(decide);
        return _database.WriteAsync((connection, transaction) =>
        {
            if (!ProcessedEvents.TryMark(connection, transaction, BounceConsumer, bounce.EventId, now))
            {
                return Duplicate(connection, transaction, bounce.EventId);
            }

            SqliteDatabase.Execute(
                connection,
                """
                INSERT INTO ca1_recipients (account, window_start, recipient_hash, invalid_submitted_at, address, reply, bounced_at)
                VALUES ($account, $window, $hash, $submittedAt, $address, $reply, $bouncedAt)
                ON CONFLICT (account, window_start, recipient_hash) DO UPDATE SET
                    invalid_submitted_at = max(coalesce(invalid_submitted_at, excluded.invalid_submitted_at), excluded.invalid_submitted_at),
                    address = excluded.address,
                    reply = excluded.reply,
                    bounced_at = excluded.bounced_at;
                """,
                transaction,
                ("$account", bounce.Account),
                ("$window", bounce.WindowStart.ToUnixTimeMilliseconds()),
                ("$hash", bounce.RecipientHash),
                ("$submittedAt", bounce.SubmittedAt.ToUnixTimeMilliseconds()),
                ("$address", bounce.RecipientAddress),
                ("$reply", bounce.Reply),
                ("$bouncedAt", bounce.BouncedAt.ToUnixTimeMilliseconds()));

            var result = Evaluate(connection, transaction, bounce.Account, bounce.WindowStart, bounce.EventId, now, decide);
            return result;
        });
    }

    public Task<bool> RecordLiftAsync(Guid eventId, string account, DateTimeOffset liftedAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        return Task.FromResult(Ledger.TryRecordLift(_database, LiftConsumer, eventId, BlockSubject.ForAccount(account), RuleCodes.Ca1, liftedAt, now));
    }

    public Task MarkPublishedAsync(Guid blockEventId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var connection = _database.Open();
        Ledger.MarkPublished(connection, blockEventId, now);
        return Task.CompletedTask;
    }

    public Task<Ca1Tally> GetTallyAsync(string account, DateTimeOffset windowStart, CancellationToken cancellationToken)
    {
        using var connection = _database.Open();
        return Task.FromResult(ReadTally(connection, null, account, windowStart));
    }

    public Task<IReadOnlyList<DetectorBlock>> ListActiveBlocksAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var connection = _database.Open();
        return Task.FromResult(Ledger.ListActive(connection, now));
    }

    public Task<int> PruneAsync(DateTimeOffset windowsBefore, DateTimeOffset blocksEndedBefore, CancellationToken cancellationToken)
    {
        using var connection = _database.Open();
        using var transaction = SqliteDatabase.BeginWrite(connection);
        var windowsCutoff = windowsBefore.ToUnixTimeMilliseconds();
        var deleted = SqliteDatabase.Execute(connection, "DELETE FROM ca1_recipients WHERE window_start < $cutoff;", transaction, ("$cutoff", windowsCutoff));
        deleted += SqliteDatabase.Execute(
            connection,
            "DELETE FROM processed_events WHERE consumer IN ($submission, $bounce, $lift) AND processed_at < $cutoff;",
            transaction,
            ("$submission", SubmissionConsumer),
            ("$bounce", BounceConsumer),
            ("$lift", LiftConsumer),
            ("$cutoff", windowsCutoff));
        deleted += Ledger.Prune(connection, transaction, blocksEndedBefore, windowsBefore);
        transaction.Commit();
        return Task.FromResult(deleted);
    }

    /// <summary>Returns the result for a redelivered event, with the block it created if that was never marked published.</summary>
    private static Ca1Result Duplicate(SqliteConnection connection, SqliteTransaction transaction, Guid eventId)
    {
        var unpublished = Ledger.FindUnpublished(connection, transaction, eventId);
        return new Ca1Result { Duplicate = true, Block = unpublished.FirstOrDefault() };
    }

    private static Ca1Result Evaluate(
        SqliteConnection connection,
        SqliteTransaction transaction,
        string account,
        DateTimeOffset windowStart,
        Guid sourceEventId,
        DateTimeOffset now,
        Func<Ca1Tally, DetectorBlock?> decide)
    {
        var tally = ReadTally(connection, transaction, account, windowStart);
        var active = Ledger.FindActive(connection, transaction, BlockSubject.ForAccount(account), RuleCodes.Ca1, now);
        if (active is not null)
        {
            var stale = active.IsStale(now);
            return new Ca1Result { Tally = tally, AlreadyBlocked = true, Block = stale ? active.Block : null };
        }

        if (decide(tally) is { } block)
        {
            Ledger.Insert(connection, transaction, block, sourceEventId);
            block = block with { SubmissionTraceParents = ReadInvalidTraceParents(connection, transaction, account, windowStart) };
            return new Ca1Result { Tally = tally, Block = block, BlockIsNew = true };
        }

        return new Ca1Result { Tally = tally };
    }

    private static Ca1Tally ReadTally(SqliteConnection connection, SqliteTransaction? transaction, string account, DateTimeOffset windowStart)
    {
        var lastLift = Ledger.FindLastLift(connection, transaction, BlockSubject.ForAccount(account), RuleCodes.Ca1);
        var cutoff = lastLift?.ToUnixTimeMilliseconds() ?? long.MinValue;
        var window = windowStart.ToUnixTimeMilliseconds();

        var (distinct, invalid) = SqliteDatabase.Query(
            connection,
            """
            SELECT coalesce(sum(last_submitted_at >= $cutoff), 0),
                   coalesce(sum(invalid_submitted_at >= $cutoff AND last_submitted_at >= invalid_submitted_at), 0)
            FROM ca1_recipients WHERE account = $account AND window_start = $window;
            """,
            transaction,
            reader =>
            {
                reader.Read();
                return (reader.GetInt32(0), reader.GetInt32(1));
            },
            ("$account", account),
            ("$window", window),
            ("$cutoff", cutoff));
        if (invalid == 0)
        {
            return new Ca1Tally(account, windowStart, distinct, invalid, []);
        }

        var sampleList = SqliteDatabase.Query(
            connection,
            $"""
            SELECT address, reply, bounced_at FROM ca1_recipients
            WHERE account = $account AND window_start = $window
              AND invalid_submitted_at >= $cutoff AND last_submitted_at >= invalid_submitted_at
            ORDER BY bounced_at DESC, recipient_hash LIMIT {MaxSamples};
            """,
            transaction,
            reader =>
            {
                var samples = new List<EvidenceSample>();
                while (reader.Read())
                {
                    samples.Add(new EvidenceSample
                    {
                        Value = reader.GetString(0),
                        Detail = reader.GetString(1),
                        At = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                    });
                }

                return samples;
            },
            ("$account", account),
            ("$window", window),
            ("$cutoff", cutoff));
        return new Ca1Tally(account, windowStart, distinct, invalid, sampleList);
    }

    /// <summary>
    /// Returns the trace parents of the submissions to the window's invalid recipients that the tally counts, distinct,
    /// most recent first, at most <see cref="DecisionSpans.MaxLinks"/>.
    /// </summary>
    private static IReadOnlyList<string> ReadInvalidTraceParents(SqliteConnection connection, SqliteTransaction transaction, string account, DateTimeOffset windowStart)
    {
        var lastLift = Ledger.FindLastLift(connection, transaction, BlockSubject.ForAccount(account), RuleCodes.Ca1);
        return SqliteDatabase.Query(
            connection,
            $"""
            SELECT trace_parent FROM ca1_recipients
            WHERE account = $account AND window_start = $window AND trace_parent IS NOT NULL
              AND invalid_submitted_at >= $cutoff AND last_submitted_at >= invalid_submitted_at
            GROUP BY trace_parent ORDER BY max(last_submitted_at) DESC, trace_parent LIMIT {DecisionSpans.MaxLinks};
            """,
            transaction,
            reader =>
            {
                var traceParents = new List<string>();
                while (reader.Read())
                {
                    traceParents.Add(reader.GetString(0));
                }

                return traceParents;
            },
            ("$account", account),
            ("$window", windowStart.ToUnixTimeMilliseconds()),
            ("$cutoff", lastLift?.ToUnixTimeMilliseconds() ?? long.MinValue));
    }
}
