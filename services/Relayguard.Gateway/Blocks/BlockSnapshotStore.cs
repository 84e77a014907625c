using Microsoft.Data.Sqlite;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Blocks;

/// <summary>
/// The gateway's own copy of its active blocks, in its local SQLite file, and of recent lifts, so that a block event
/// delivered again after its lift does not block the subject again.
/// </summary>
public sealed class BlockSnapshotStore
{
    /// <summary>
    /// How long a lift is kept to recognise a late copy of a block event it ended. The default redelivery intervals
    /// (<c>Bus:RedeliveryIntervals</c>) add up to under 13 minutes, so a week leaves a wide margin.
    /// </summary>
    public static readonly TimeSpan LiftRetention = TimeSpan.FromDays(7);

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;

    public BlockSnapshotStore(SqliteDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
        _database.EnsureSchema("""
            CREATE TABLE IF NOT EXISTS gateway_blocks (
                kind TEXT NOT NULL,
                subject TEXT NOT NULL,
                code TEXT NOT NULL,
                scope TEXT NOT NULL,
                reason TEXT NOT NULL,
                blocked_at INTEGER NOT NULL,
                expires_at INTEGER,
                event_id TEXT NOT NULL,
                PRIMARY KEY (kind, subject, code, scope)
            ) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS gateway_lifts (
                kind TEXT NOT NULL,
                subject TEXT NOT NULL,
                code TEXT NOT NULL,
                lifted_at INTEGER NOT NULL,
                PRIMARY KEY (kind, subject, code)
            ) WITHOUT ROWID;
            """);

        // Account names are lower case since 0.9.1. Rows saved in another spelling before then are folded, keeping
        // the newest block and lift of each account, so a lift of alice also ends a block saved as Alice.
        _database.Migrate("gateway-snapshot-account-names-in-lower-case", """
            INSERT INTO gateway_lifts (kind, subject, code, lifted_at)
                SELECT kind, lower(subject), code, lifted_at FROM gateway_lifts WHERE kind = 'account' AND subject <> lower(subject)
                ON CONFLICT (kind, subject, code) DO UPDATE SET lifted_at = max(gateway_lifts.lifted_at, excluded.lifted_at);
            DELETE FROM gateway_lifts WHERE kind = 'account' AND subject <> lower(subject);
            INSERT INTO gateway_blocks (kind, subject, code, scope, reason, blocked_at, expires_at, event_id)
                SELECT kind, lower(subject), code, scope, reason, blocked_at, expires_at, event_id FROM gateway_blocks
                WHERE kind = 'account' AND subject <> lower(subject)
                ON CONFLICT (kind, subject, code, scope) DO UPDATE SET
                    reason = excluded.reason, blocked_at = excluded.blocked_at, expires_at = excluded.expires_at, event_id = excluded.event_id
                    WHERE excluded.blocked_at > gateway_blocks.blocked_at;
            DELETE FROM gateway_blocks WHERE kind = 'account' AND subject <> lower(subject);
            """);
    }

    /// <summary>Deletes expired rows, then reads the rest one by one, so a million blocks are never all in a list at once.</summary>
    public IEnumerable<BlockEntry> Load()
    {
        using var connection = _database.Open();
        SqliteDatabase.Execute(connection, "DELETE FROM gateway_blocks WHERE expires_at IS NOT NULL AND expires_at <= $now;", null, ("$now", _time.GetUtcNow().ToUnixTimeMilliseconds()));
        SqliteDatabase.Execute(connection, "DELETE FROM gateway_lifts WHERE lifted_at < $cutoff;", null, ("$cutoff", (_time.GetUtcNow() - LiftRetention).ToUnixTimeMilliseconds()));
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT kind, subject, code, scope, reason, blocked_at, expires_at, event_id FROM gateway_blocks;";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return new BlockEntry(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                reader.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                Guid.Parse(reader.GetString(7)));
        }
    }

    public void Save(BlockEntry entry) =>
        _database.Write(connection => SqliteDatabase.Execute(
            connection,
            """
            INSERT INTO gateway_blocks (kind, subject, code, scope, reason, blocked_at, expires_at, event_id)
            VALUES ($k, $s, $c, $sc, $r, $b, $e, $id)
            ON CONFLICT(kind, subject, code, scope) DO UPDATE SET reason = excluded.reason, blocked_at = excluded.blocked_at,
                expires_at = excluded.expires_at, event_id = excluded.event_id;
            """,
            null,
            ("$k", entry.Kind),
            ("$s", entry.Subject),
            ("$c", entry.Code),
            ("$sc", entry.Scope),
            ("$r", entry.Reason),
            ("$b", entry.BlockedAt.ToUnixTimeMilliseconds()),
            ("$e", entry.ExpiresAt?.ToUnixTimeMilliseconds()),
            ("$id", entry.EventId.ToString())));

    /// <summary>
    /// Deletes the subject's blocks with the named codes (all codes when empty) and, when <paramref name="liftedAt"/> is
    /// given, records the lift in the same transaction.
    /// </summary>
    public void Delete(string kind, string subject, IReadOnlyCollection<string> codes, DateTimeOffset? liftedAt = null) => _database.Write(connection =>
    {
        using var transaction = SqliteDatabase.BeginWrite(connection);
        var lifted = liftedAt?.ToUnixTimeMilliseconds();
        if (codes.Count == 0)
        {
            SqliteDatabase.Execute(connection, "DELETE FROM gateway_blocks WHERE kind = $k AND subject = $s;", transaction, ("$k", kind), ("$s", subject));
            RecordLift(connection, transaction, kind, subject, string.Empty, lifted);
        }

        foreach (var code in codes)
        {
            SqliteDatabase.Execute(connection, "DELETE FROM gateway_blocks WHERE kind = $k AND subject = $s AND code = $c;", transaction, ("$k", kind), ("$s", subject), ("$c", code));
            RecordLift(connection, transaction, kind, subject, code, lifted);
        }

        transaction.Commit();
        return codes.Count;
    });

    /// <summary>Returns true when a lift recorded for the block's subject and code came at or after the block was made.</summary>
    public bool IsLiftedSince(BlockEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        using var connection = _database.Open();
        return SqliteDatabase.Scalar(
            connection,
            "SELECT 1 FROM gateway_lifts WHERE kind = $k AND subject = $s AND code IN ('', $c) AND lifted_at >= $b LIMIT 1;",
            null,
            ("$k", entry.Kind),
            ("$s", entry.Subject),
            ("$c", entry.Code),
            ("$b", entry.BlockedAt.ToUnixTimeMilliseconds())) is not null;
    }

    /// <summary>Reads the latest lift of each subject of <paramref name="kind"/> that ended <paramref name="code"/>: a lift of that code or of every code.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> LiftTimes(string kind, string code)
    {
        using var connection = _database.Open();
        return SqliteDatabase.Query(
            connection,
            "SELECT subject, max(lifted_at) FROM gateway_lifts WHERE kind = $k AND code IN ('', $c) GROUP BY subject;",
            null,
            reader =>
            {
                var lifts = new Dictionary<string, DateTimeOffset>(StringComparer.OrdinalIgnoreCase);
                while (reader.Read())
                {
                    lifts[reader.GetString(0)] = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1));
                }

                return lifts;
            },
            ("$k", kind),
            ("$c", code));
    }

    /// <summary>Keeps the latest lift time of a subject and code ('' for every code).</summary>
    private static void RecordLift(SqliteConnection connection, SqliteTransaction transaction, string kind, string subject, string code, long? liftedAt)
    {
        if (liftedAt is null)
        {
            return;
        }

        SqliteDatabase.Execute(
            connection,
            """
            INSERT INTO gateway_lifts (kind, subject, code, lifted_at) VALUES ($k, $s, $c, $l)
            ON CONFLICT (kind, subject, code) DO UPDATE SET lifted_at = max(lifted_at, excluded.lifted_at);
            """,
            transaction,
            ("$k", kind),
            ("$s", subject),
            ("$c", code),
            ("$l", liftedAt));
    }
}
