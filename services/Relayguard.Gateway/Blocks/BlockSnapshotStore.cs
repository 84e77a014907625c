using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Blocks;

/// <summary>The gateway's own copy of its active blocks, in its local SQLite file.</summary>
public sealed class BlockSnapshotStore
{
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
            """);
    }

    /// <summary>Deletes expired rows, then reads the rest one by one, so a million blocks are never all in a list at once.</summary>
    public IEnumerable<BlockEntry> Load()
    {
        using var connection = _database.Open();
        SqliteDatabase.Execute(connection, "DELETE FROM gateway_blocks WHERE expires_at IS NOT NULL AND expires_at <= $now;", null, ("$now", _time.GetUtcNow().ToUnixTimeMilliseconds()));
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

    public void Delete(string kind, string subject, IReadOnlyCollection<string> codes) => _database.Write(connection =>
    {
        if (codes.Count == 0)
        {
            return SqliteDatabase.Execute(connection, "DELETE FROM gateway_blocks WHERE kind = $k AND subject = $s;", null, ("$k", kind), ("$s", subject));
        }

        var deleted = 0;
        foreach (var code in codes)
        {
            deleted += SqliteDatabase.Execute(connection, "DELETE FROM gateway_blocks WHERE kind = $k AND subject = $s AND code = $c;", null, ("$k", kind), ("$s", subject), ("$c", code));
        }

        return deleted;
    });
}
