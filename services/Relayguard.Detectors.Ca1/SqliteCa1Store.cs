using Microsoft.Data.Sqlite;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca1;

/// <summary>
/// <see cref="ICa1Store"/> in the shared SQLite file: <c>ca1_recipients</c> contains one row per account, window and
/// recipient hash, and <see cref="SqliteBlockLedger"/> keeps <c>ca1_blocks</c> and <c>ca1_lifts</c>. Every update
/// runs in a BEGIN IMMEDIATE transaction together with its <see cref="ProcessedEvents"/> mark.
/// </summary>
/// <remarks>
/// <c>ca1_windows</c> keeps each window's two counts, so an event costs the same however many recipients its window
/// already has. Each change to a recipient's row adds the difference it makes to the counts. A lift changes which
/// recipients count, so it counts the account's windows again. When each event counted its window from
/// <c>ca1_recipients</c>, the rule handled 7,125 events a second with 130 recipients a window
/// (<c>relayguard-bench detectors --detector ca1 --transport none --warmup 60000</c>), against 13,174 now. An account
/// that sends thousands of messages in one window has thousands of recipients in it.
/// </remarks>
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
        EnsureWindowCounts(database);
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

            var cutoff = Cutoff(connection, transaction, submission.Account);
            var change = default(Counts);
            foreach (var hash in submission.RecipientHashes.Distinct(StringComparer.Ordinal))
            {
                var before = ReadRecipient(connection, transaction, submission.Account, submission.WindowStart, hash, cutoff);
                var after = SqliteDatabase.Query(
                    connection,
                    """
                    INSERT INTO ca1_recipients (account, window_start, recipient_hash, last_submitted_at, trace_parent)
                    VALUES ($account, $window, $hash, $submittedAt, $traceParent)
                    ON CONFLICT (account, window_start, recipient_hash) DO UPDATE SET
                        trace_parent = CASE
                            WHEN last_submitted_at IS NULL OR excluded.last_submitted_at >= last_submitted_at THEN coalesce(excluded.trace_parent, trace_parent)
                            ELSE trace_parent END,
                        last_submitted_at = max(coalesce(last_submitted_at, excluded.last_submitted_at), excluded.last_submitted_at)
                    RETURNING last_submitted_at, invalid_submitted_at;
                    """,
                    transaction,
                    reader => ReadCounts(reader, cutoff),
                    ("$account", submission.Account),
                    ("$window", submission.WindowStart.ToUnixTimeMilliseconds()),
                    ("$hash", hash),
                    ("$submittedAt", submission.SubmittedAt.ToUnixTimeMilliseconds()),
                    ("$traceParent", submission.TraceParent));
                change += after - before;
            }

            var window = AddToWindow(connection, transaction, submission.Account, submission.WindowStart, change);
            var result = Evaluate(connection, transaction, submission.Account, submission.WindowStart, window, cutoff, submission.EventId, now, decide);
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

            var cutoff = Cutoff(connection, transaction, bounce.Account);
            var before = ReadRecipient(connection, transaction, bounce.Account, bounce.WindowStart, bounce.RecipientHash, cutoff);
            var after = SqliteDatabase.Query(
                connection,
                """
                INSERT INTO ca1_recipients (account, window_start, recipient_hash, invalid_submitted_at, address, reply, bounced_at)
                VALUES ($account, $window, $hash, $submittedAt, $address, $reply, $bouncedAt)
                ON CONFLICT (account, window_start, recipient_hash) DO UPDATE SET
                    invalid_submitted_at = max(coalesce(invalid_submitted_at, excluded.invalid_submitted_at), excluded.invalid_submitted_at),
                    address = excluded.address,
                    reply = excluded.reply,
                    bounced_at = excluded.bounced_at
                RETURNING last_submitted_at, invalid_submitted_at;
                """,
                transaction,
                reader => ReadCounts(reader, cutoff),
                ("$account", bounce.Account),
                ("$window", bounce.WindowStart.ToUnixTimeMilliseconds()),
                ("$hash", bounce.RecipientHash),
                ("$submittedAt", bounce.SubmittedAt.ToUnixTimeMilliseconds()),
                ("$address", bounce.RecipientAddress),
                ("$reply", bounce.Reply),
                ("$bouncedAt", bounce.BouncedAt.ToUnixTimeMilliseconds()));
            var window = AddToWindow(connection, transaction, bounce.Account, bounce.WindowStart, after - before);
            var result = Evaluate(connection, transaction, bounce.Account, bounce.WindowStart, window, cutoff, bounce.EventId, now, decide);
            return result;
        });
    }

    public Task<bool> RecordLiftAsync(Guid eventId, string account, DateTimeOffset liftedAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var subject = BlockSubject.ForAccount(account);
        return Task.FromResult(Ledger.TryRecordLift(_database, LiftConsumer, eventId, subject, RuleCodes.Ca1, liftedAt, now, (connection, transaction) => RecountWindows(connection, transaction, account)));
    }

    public Task MarkPublishedAsync(Guid blockEventId, DateTimeOffset now, CancellationToken cancellationToken) =>
        Ledger.MarkPublishedAsync(_database, blockEventId, now);

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
        SqliteDatabase.Execute(connection, "DELETE FROM ca1_windows WHERE window_start < $cutoff;", transaction, ("$cutoff", windowsCutoff));

        // The ledger deletes lifts before the same cutoff. The counts stay right without a recount: every row left has
        // its times at or after its window's start, so it is after every deleted lift.
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

    /// <summary>
    /// Decides on the window's counts after an event. The tally given to <paramref name="decide"/> has no samples:
    /// they are read only for a new block's evidence, because reading them scans the window's invalid recipients.
    /// </summary>
    private static Ca1Result Evaluate(
        SqliteConnection connection,
        SqliteTransaction transaction,
        string account,
        DateTimeOffset windowStart,
        Counts window,
        long cutoff,
        Guid sourceEventId,
        DateTimeOffset now,
        Func<Ca1Tally, DetectorBlock?> decide)
    {
        var tally = new Ca1Tally(account, windowStart, window.Distinct, window.Invalid, []);
        var active = Ledger.FindActive(connection, transaction, BlockSubject.ForAccount(account), RuleCodes.Ca1, now);
        if (active is not null)
        {
            var stale = active.IsStale(now);
            return new Ca1Result { Tally = tally, AlreadyBlocked = true, Block = stale ? active.Block : null };
        }

        if (decide(tally) is { } block)
        {
            tally = tally with { Samples = ReadSamples(connection, transaction, account, windowStart, cutoff) };
            if (block.AccountBlocked is { } blocked)
            {
                block = DetectorBlock.From(blocked with { Evidence = blocked.Evidence with { Samples = tally.Samples } });
            }

            Ledger.Insert(connection, transaction, block, sourceEventId);
            block = block with { SubmissionTraceParents = ReadInvalidTraceParents(connection, transaction, account, windowStart) };
            return new Ca1Result { Tally = tally, Block = block, BlockIsNew = true };
        }

        return new Ca1Result { Tally = tally };
    }

    private static Ca1Tally ReadTally(SqliteConnection connection, SqliteTransaction? transaction, string account, DateTimeOffset windowStart)
    {
        var cutoff = Cutoff(connection, transaction, account);
        var counts = SqliteDatabase.Query(
            connection,
            "SELECT distinct_recipients, invalid_recipients FROM ca1_windows WHERE account = $account AND window_start = $window;",
            transaction,
            reader => reader.Read() ? new Counts(reader.GetInt32(0), reader.GetInt32(1)) : default,
            ("$account", account),
            ("$window", windowStart.ToUnixTimeMilliseconds()));
        var samples = counts.Invalid == 0 ? [] : ReadSamples(connection, transaction, account, windowStart, cutoff);
        return new Ca1Tally(account, windowStart, counts.Distinct, counts.Invalid, samples);
    }

    /// <summary>Returns up to <see cref="MaxSamples"/> of the window's counted invalid recipients, the latest bounces first.</summary>
    private static IReadOnlyList<EvidenceSample> ReadSamples(SqliteConnection connection, SqliteTransaction? transaction, string account, DateTimeOffset windowStart, long cutoff)
    {
        var window = windowStart.ToUnixTimeMilliseconds();
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
        return sampleList;
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

    /// <summary>
    /// Creates <c>ca1_windows</c> and, when a version without it left recipients, counts their windows, in one BEGIN
    /// IMMEDIATE transaction, so two processes that start together do not both count.
    /// </summary>
    private static void EnsureWindowCounts(SqliteDatabase database)
    {
        using var connection = database.Open();
        using var transaction = SqliteDatabase.BeginWrite(connection);
        var exists = SqliteDatabase.Scalar(connection, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ca1_windows';", transaction) is not null;
        if (!exists)
        {
            SqliteDatabase.Execute(
                connection,
                """
                CREATE TABLE ca1_windows (
                    account TEXT NOT NULL,
                    window_start INTEGER NOT NULL,
                    distinct_recipients INTEGER NOT NULL,
                    invalid_recipients INTEGER NOT NULL,
                    PRIMARY KEY (account, window_start)
                ) WITHOUT ROWID;
                INSERT INTO ca1_windows (account, window_start, distinct_recipients, invalid_recipients)
                SELECT DISTINCT account, window_start, 0, 0 FROM ca1_recipients;
                """,
                transaction);
            foreach (var account in SqliteDatabase.Query(connection, "SELECT DISTINCT account FROM ca1_windows;", transaction, ReadStrings))
            {
                RecountWindows(connection, transaction, account);
            }
        }

        transaction.Commit();
    }

    private static List<string> ReadStrings(SqliteDataReader reader)
    {
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    /// <summary>Returns the time, in Unix milliseconds, from which the account's recipients count: its last CA1 lift, or the minimum.</summary>
    private static long Cutoff(SqliteConnection connection, SqliteTransaction? transaction, string account) =>
        Ledger.FindLastLift(connection, transaction, BlockSubject.ForAccount(account), RuleCodes.Ca1)?.ToUnixTimeMilliseconds() ?? long.MinValue;

    /// <summary>Returns what the recipient's row adds to its window's counts, nothing when there is no row.</summary>
    private static Counts ReadRecipient(SqliteConnection connection, SqliteTransaction transaction, string account, DateTimeOffset windowStart, string hash, long cutoff) =>
        SqliteDatabase.Query(
            connection,
            "SELECT last_submitted_at, invalid_submitted_at FROM ca1_recipients WHERE account = $account AND window_start = $window AND recipient_hash = $hash;",
            transaction,
            reader => ReadCounts(reader, cutoff),
            ("$account", account),
            ("$window", windowStart.ToUnixTimeMilliseconds()),
            ("$hash", hash));

    /// <summary>
    /// Returns what one row of last_submitted_at and invalid_submitted_at adds to the counts, by the rule of
    /// <see cref="Ca1Tally"/>: the recipient is distinct when submitted since the cutoff, and invalid when its bounce's
    /// submission is since the cutoff too and not after the latest recorded submission.
    /// </summary>
    private static Counts ReadCounts(SqliteDataReader reader, long cutoff)
    {
        if (!reader.Read())
        {
            return default;
        }

        long? submitted = reader.IsDBNull(0) ? null : reader.GetInt64(0);
        long? invalid = reader.IsDBNull(1) ? null : reader.GetInt64(1);
        var isDistinct = submitted >= cutoff;
        var isInvalid = invalid >= cutoff && submitted >= invalid;
        return new Counts(isDistinct ? 1 : 0, isInvalid ? 1 : 0);
    }

    /// <summary>Adds <paramref name="change"/> to the window's counts and returns the counts after it.</summary>
    private static Counts AddToWindow(SqliteConnection connection, SqliteTransaction transaction, string account, DateTimeOffset windowStart, Counts change) =>
        SqliteDatabase.Query(
            connection,
            """
            INSERT INTO ca1_windows (account, window_start, distinct_recipients, invalid_recipients)
            VALUES ($account, $window, $distinct, $invalid)
            ON CONFLICT (account, window_start) DO UPDATE SET
                distinct_recipients = distinct_recipients + excluded.distinct_recipients,
                invalid_recipients = invalid_recipients + excluded.invalid_recipients
            RETURNING distinct_recipients, invalid_recipients;
            """,
            transaction,
            reader =>
            {
                reader.Read();
                return new Counts(reader.GetInt32(0), reader.GetInt32(1));
            },
            ("$account", account),
            ("$window", windowStart.ToUnixTimeMilliseconds()),
            ("$distinct", change.Distinct),
            ("$invalid", change.Invalid));

    /// <summary>Counts every window of the account again from its recipients, after a lift moved its cutoff.</summary>
    private static void RecountWindows(SqliteConnection connection, SqliteTransaction transaction, string account) =>
        SqliteDatabase.Execute(
            connection,
            """
            UPDATE ca1_windows SET
                distinct_recipients = (
                    SELECT coalesce(sum(r.last_submitted_at >= $cutoff), 0) FROM ca1_recipients r
                    WHERE r.account = ca1_windows.account AND r.window_start = ca1_windows.window_start),
                invalid_recipients = (
                    SELECT coalesce(sum(r.invalid_submitted_at >= $cutoff AND r.last_submitted_at >= r.invalid_submitted_at), 0) FROM ca1_recipients r
                    WHERE r.account = ca1_windows.account AND r.window_start = ca1_windows.window_start)
            WHERE account = $account;
            """,
            transaction,
            ("$account", account),
            ("$cutoff", Cutoff(connection, transaction, account)));

    /// <summary>A window's distinct and invalid recipients, or what one recipient adds to them.</summary>
    private readonly record struct Counts(int Distinct, int Invalid)
    {
        public static Counts operator +(Counts left, Counts right) => new(left.Distinct + right.Distinct, left.Invalid + right.Invalid);

        public static Counts operator -(Counts left, Counts right) => new(left.Distinct - right.Distinct, left.Invalid - right.Invalid);
    }
}
