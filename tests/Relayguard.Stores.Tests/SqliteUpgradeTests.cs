using Relayguard.Detectors.Bo1;
using Relayguard.Detectors.Ca1;
using Relayguard.Detectors.Ca2;
using Relayguard.Detectors.Rl1;
using Relayguard.ServiceDefaults;

namespace Relayguard.Stores.Tests;

/// <summary>
/// A SQLite file written by a version without the <c>trace_parent</c> columns: each store adds its column, counts the
/// rows written before, and links only the rows that carry a trace.
/// </summary>
public sealed class SqliteUpgradeTests : IDisposable
{
    private static readonly DateTimeOffset Now = TestClock.HourStart.AddMinutes(30);

    private readonly StoreScope _scope = new(StoreKinds.Sqlite);

    public void Dispose() => _scope.Dispose();

    [Fact]
    public async Task Ca2_OldRejects_CountedWithoutLink()
    {
        var options = new Ca2Options { Count = 3, Window = "10m" };
        var subject = BlockSubject.ForIp("198.51.100.7");
        CreateOldTable("""
            CREATE TABLE ca2_rejects (
                kind TEXT NOT NULL, subject TEXT NOT NULL, on_ip TEXT NOT NULL, submitted_at INTEGER NOT NULL,
                event_id TEXT NOT NULL, gateway_message_id TEXT NOT NULL, spam_score REAL,
                PRIMARY KEY (kind, subject, on_ip, submitted_at, event_id)
            ) WITHOUT ROWID;
            """);
        Insert("INSERT INTO ca2_rejects VALUES ('ip', '198.51.100.7', '', $at, $id, 'M-old', 15.5);", Now.AddMinutes(-3));
        var store = new SqliteCa2Store(_scope.Sqlite!);
        var traces = new[] { TestTraceParents.New(), TestTraceParents.New() };

        Ca2RejectResult? result = null;
        for (var i = 0; i < traces.Length; i++)
        {
            var reject = new Ca2Reject(Guid.NewGuid(), subject, "M-new", 15.5, Now.AddMinutes(i - 2), ["GTUBE(1000)"], traces[i]);
            result = await store.RecordRejectAsync(reject, Now, options.WindowDuration, options.Count, nearby => Ca2Decision.Decide(subject, nearby, options, Now), default);
        }

        Assert.NotNull(result);
        Assert.True(result.BlockIsNew);
        Assert.Equal(Enumerable.Reverse(traces), result.Block!.SubmissionTraceParents);
    }

    [Fact]
    public async Task Bo1_OldRefusals_CountedWithoutLink()
    {
        var options = new Bo1Options { EscalateAfter = 3, Window = "1h" };
        var subject = BlockSubject.ForAccount("mailer");
        CreateOldTable("""
            CREATE TABLE bo1_refusals (
                kind TEXT NOT NULL, subject TEXT NOT NULL, submitted_at INTEGER NOT NULL, event_id TEXT NOT NULL,
                gateway_message_id TEXT NOT NULL, PRIMARY KEY (kind, subject, submitted_at, event_id)
            ) WITHOUT ROWID;
            """);
        Insert("INSERT INTO bo1_refusals VALUES ('account', 'mailer', $at, $id, 'M-old');", Now.AddMinutes(-3));
        var store = new SqliteBo1Store(_scope.Sqlite!);
        var traces = new[] { TestTraceParents.New(), TestTraceParents.New() };

        Bo1RefusalResult? result = null;
        for (var i = 0; i < traces.Length; i++)
        {
            var refusal = new Bo1Refusal(Guid.NewGuid(), "M-new", Now.AddMinutes(i - 2), traces[i]);
            result = await store.RecordRefusalAsync(refusal, [subject], Now, options.WindowDuration, options.EscalateAfter, (s, nearby) => Bo1Decision.Decide(s, nearby, options, Now), default);
        }

        Assert.NotNull(result);
        var block = Assert.Single(result.Blocks);
        Assert.Equal(Enumerable.Reverse(traces), block.SubmissionTraceParents);
    }

    [Fact]
    public async Task Rl1_OldMessages_CountedWithoutLink()
    {
        var limits = new Rl1Limits(Messages: 3, Recipients: 0);
        var subject = BlockSubject.ForAccount("shop");
        CreateOldTable("""
            CREATE TABLE rl1_messages (
                kind TEXT NOT NULL, subject TEXT NOT NULL COLLATE NOCASE, submitted_at INTEGER NOT NULL, event_id TEXT NOT NULL,
                gateway_message_id TEXT NOT NULL, recipients INTEGER NOT NULL, PRIMARY KEY (kind, subject, submitted_at, event_id)
            ) WITHOUT ROWID;
            """);
        Insert("INSERT INTO rl1_messages VALUES ('account', 'shop', $at, $id, 'M-old', 1);", Now.AddMinutes(-3));
        var store = new SqliteRl1Store(_scope.Sqlite!);
        var traces = new[] { TestTraceParents.New(), TestTraceParents.New() };

        Rl1Result? result = null;
        for (var i = 0; i < traces.Length; i++)
        {
            var submission = new Rl1Submission(Guid.NewGuid(), subject, "M-new", 1, Now.AddMinutes(i - 2), traces[i]);
            result = await store.RecordAsync(submission, Now - Rl1Options.Window, Now, limits, recent => Rl1Decision.Decide(subject, recent, limits, Now), default);
        }

        Assert.NotNull(result);
        Assert.True(result.BlockIsNew);
        Assert.Equal(Enumerable.Reverse(traces), result.Block!.SubmissionTraceParents);
    }

    [Fact]
    public async Task Ca1_OldRecipients_CountedWithoutLink()
    {
        var options = new Ca1Options { MinInvalidRecipients = 3, MinInvalidShare = 0.2 };
        var window = TestClock.HourStart;
        var submittedAt = window.AddMinutes(10);
        CreateOldTable("""
            CREATE TABLE ca1_recipients (
                account TEXT NOT NULL, window_start INTEGER NOT NULL, recipient_hash TEXT NOT NULL,
                last_submitted_at INTEGER, invalid_submitted_at INTEGER, address TEXT, reply TEXT, bounced_at INTEGER,
                PRIMARY KEY (account, window_start, recipient_hash)
            ) WITHOUT ROWID;
            """);
        Insert(
            $"INSERT INTO ca1_recipients (account, window_start, recipient_hash, last_submitted_at) VALUES ('alice', {window.ToUnixTimeMilliseconds()}, 'r1', $at);",
            submittedAt);
        var store = new SqliteCa1Store(_scope.Sqlite!);
        var trace = TestTraceParents.New();

        await store.RecordSubmissionAsync(new Ca1Submission(Guid.NewGuid(), "alice", window, submittedAt, ["r2", "r3"], trace), Now, Decide, default);
        Ca1Result? result = null;
        foreach (var hash in new[] { "r1", "r2", "r3" })
        {
            var bounce = new Ca1InvalidBounce(Guid.NewGuid(), "alice", window, submittedAt, hash, hash + "@example.net", "550 5.1.1 User unknown", Now);
            result = await store.RecordInvalidBounceAsync(bounce, Now, Decide, default);
        }

        Assert.NotNull(result);
        Assert.Equal(3, result.Tally!.DistinctRecipients);
        Assert.True(result.BlockIsNew);
        Assert.Equal(new[] { trace }, result.Block!.SubmissionTraceParents);

        DetectorBlock? Decide(Ca1Tally tally) => Ca1Decision.Decide(tally, options, Now);
    }

    [Fact]
    public void Operations_CapitalisedAccounts_Folded()
    {
        // The stores create the schema, then the rows of an earlier version and its missing migration are put back.
        var database = _scope.Sqlite!;
        OperationsStores.OnSqlite(database, TimeProvider.System);
        Insert(
            """
            DELETE FROM schema_migrations;
            INSERT INTO blocks (kind, subject, code, scope, reason, evidence, blocked_at, set_by, event_id)
            VALUES ('account', 'ALICE', 'OP1', 'all', 'abuse report', '{"summary": "Blocked by hand"}', $at, 'admin', $id);
            INSERT INTO blocks (kind, subject, code, scope, reason, evidence, blocked_at, set_by, event_id)
            VALUES ('ip', '2001:DB8::/64', 'OP1', 'all', 'open proxy', '{"summary": "Blocked by hand"}', $at, 'admin', '0f3c1d2e4b5a69788796a5b4c3d2e1f0');
            INSERT INTO allowlist (kind, subject, code, reason, added_at, added_by, event_id)
            VALUES ('account', 'Hank', 'BO1', 'mailing list', $at, 'admin', '1a2b3c4d5e6f708192a3b4c5d6e7f809');
            """,
            Now);

        var stores = OperationsStores.OnSqlite(database, TimeProvider.System);

        Assert.Single(stores.Blocks.ForSubject("account", "alice"));
        Assert.Contains(stores.Allowlist.List("account", "all"), entry => entry.Subject == "hank");
        using var connection = database.Open();
        Assert.Equal("2001:DB8::/64", SqliteDatabase.Scalar(connection, "SELECT subject FROM blocks WHERE kind = 'ip';"));
    }

    [Fact]
    public void DetectorAllowlist_CapitalisedAccount_NewerWins()
    {
        // The entry was removed as newsletter, then added again as Newsletter: the later change wins.
        var database = _scope.Sqlite!;
        _ = new SqliteDetectorAllowlist<Ca1Rule>(database, "ca1");
        Insert(
            """
            DELETE FROM schema_migrations;
            INSERT INTO ca1_allowlist (kind, subject, code, active, expires_at, changed_at) VALUES ('account', 'newsletter', 'CA1', 0, NULL, $at - 60000);
            INSERT INTO ca1_allowlist (kind, subject, code, active, expires_at, changed_at) VALUES ('account', 'Newsletter', 'CA1', 1, NULL, $at);
            """,
            Now);

        var allowlist = new SqliteDetectorAllowlist<Ca1Rule>(database, "ca1");

        Assert.Equal("account newsletter", allowlist.FindCovering("CA1", "NewsLetter", null, Now));
    }

    [Fact]
    public void Migrate_SecondCallChangesNothing()
    {
        var database = _scope.Sqlite!;
        CreateOldTable("CREATE TABLE counted (n INTEGER NOT NULL); INSERT INTO counted VALUES (0);");

        database.Migrate("count-once", "UPDATE counted SET n = n + 1;");
        database.Migrate("count-once", "UPDATE counted SET n = n + 1;");

        using var connection = database.Open();
        Assert.Equal(1L, SqliteDatabase.Scalar(connection, "SELECT n FROM counted;"));
    }

    [Fact]
    public void EnsureColumn_SecondCallChangesNothing()
    {
        var database = _scope.Sqlite!;
        CreateOldTable("CREATE TABLE upgraded (id INTEGER PRIMARY KEY);");

        database.EnsureColumn("upgraded", "note", "TEXT");
        database.EnsureColumn("upgraded", "note", "TEXT");

        using var connection = database.Open();
        Assert.Equal(1L, SqliteDatabase.Scalar(connection, "SELECT count(*) FROM pragma_table_info('upgraded') WHERE name = 'note';"));
    }

    [Fact]
    public void EnsureColumn_RejectsUnsafeName()
    {
        var error = Assert.Throws<ArgumentException>(() => _scope.Sqlite!.EnsureColumn("upgraded; DROP TABLE x", "note", "TEXT"));

        Assert.Contains("Invalid table or column name", error.Message, StringComparison.Ordinal);
    }

    private void CreateOldTable(string sql) => _scope.Sqlite!.EnsureSchema(sql);

    /// <summary>Inserts a row as the earlier version wrote it. The SQL gets <c>$at</c>, the submission time, and <c>$id</c>, a new event id.</summary>
    private void Insert(string sql, DateTimeOffset submittedAt)
    {
        using var connection = _scope.Sqlite!.Open();
        SqliteDatabase.Execute(connection, sql, null, ("$at", submittedAt.ToUnixTimeMilliseconds()), ("$id", Guid.NewGuid().ToString("N")));
    }
}
