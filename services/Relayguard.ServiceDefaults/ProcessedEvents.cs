using Microsoft.Data.Sqlite;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// Remembers which events a consumer has applied, inside the same transaction as its state change,
/// so a redelivered event (same <c>EventId</c>) is applied once.
/// </summary>
public static class ProcessedEvents
{
    public static void EnsureSchema(SqliteDatabase database) => database.EnsureSchema("""
        CREATE TABLE IF NOT EXISTS processed_events (
            consumer TEXT NOT NULL,
            event_id TEXT NOT NULL,
            processed_at INTEGER NOT NULL,
            PRIMARY KEY (consumer, event_id)
        ) WITHOUT ROWID;
        """);

    /// <summary>Records the event; returns false when this consumer already applied it.</summary>
    public static bool TryMark(SqliteConnection connection, SqliteTransaction transaction, string consumer, Guid eventId, DateTimeOffset now) =>
        SqliteDatabase.Execute(
            connection,
            "INSERT OR IGNORE INTO processed_events (consumer, event_id, processed_at) VALUES ($c, $e, $t);",
            transaction,
            ("$c", consumer),
            ("$e", eventId.ToString("N")),
            ("$t", now.ToUnixTimeMilliseconds())) == 1;

    /// <summary>Deletes marks older than the retention, long after any redelivery could arrive.</summary>
    public static int Prune(SqliteDatabase database, DateTimeOffset olderThan)
    {
        using var connection = database.Open();
        return SqliteDatabase.Execute(connection, "DELETE FROM processed_events WHERE processed_at < $t;", null, ("$t", olderThan.ToUnixTimeMilliseconds()));
    }
}
