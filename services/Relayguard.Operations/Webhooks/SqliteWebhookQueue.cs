using System.Text.Json;
using Microsoft.Data.Sqlite;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Webhooks;

/// <summary>
/// The outbox of webhook events in the <c>webhook_queue</c> table, written in the transaction of the change it reports,
/// so no stored block, lift or warning is left unannounced. Each receiver's progress is a cursor in
/// <c>webhook_cursors</c>: the id of the last event it got or was skipped. SQLite gives ids in commit order because it
/// has one writer at a time, so a cursor never passes an event that commits later.
/// </summary>
public sealed class SqliteWebhookQueue : IWebhookQueue
{
    private readonly SqliteDatabase _database;

    public SqliteWebhookQueue(SqliteDatabase database)
    {
        _database = database;
        OperationsSchema.EnsureCreated(database);
    }

    /// <summary>Appends an event inside the caller's transaction. The body is <c>{"id", "type", "occurredAt", "data"}</c>.</summary>
    public static void Enqueue(SqliteConnection connection, SqliteTransaction transaction, string type, Guid eventId, DateTimeOffset occurredAt, object data, DateTimeOffset now)
    {
        var body = JsonSerializer.Serialize(new { id = eventId, type, occurredAt, data }, Api.UtcMillisecondsConverter.WebOptions);
        SqliteDatabase.Execute(
            connection,
            "INSERT INTO webhook_queue (event_id, type, body, created_at) VALUES ($event, $type, $body, $now);",
            transaction,
            ("$event", eventId.ToString("N")),
            ("$type", type),
            ("$body", body),
            ("$now", now.ToUnixTimeMilliseconds()));
    }

    /// <summary>Returns the receiver's cursor, creating it at the newest event so that a new receiver gets no history.</summary>
    public long GetOrCreateCursor(string url)
    {
        using var connection = _database.Open();
        using var transaction = SqliteDatabase.BeginWrite(connection);
        if (SqliteDatabase.Scalar(connection, "SELECT after_id FROM webhook_cursors WHERE url = $url;", transaction, ("$url", url)) is long existing)
        {
            return existing;
        }

        var newest = SqliteDatabase.Scalar(connection, "SELECT max(id) FROM webhook_queue;", transaction) as long? ?? 0;
        SqliteDatabase.Execute(connection, "INSERT INTO webhook_cursors (url, after_id) VALUES ($url, $id);", transaction, ("$url", url), ("$id", newest));
        transaction.Commit();
        return newest;
    }

    public void SaveCursor(string url, long afterId)
    {
        using var connection = _database.Open();
        SqliteDatabase.Execute(connection, "UPDATE webhook_cursors SET after_id = $id WHERE url = $url;", null, ("$url", url), ("$id", afterId));
    }

    public IReadOnlyList<WebhookItem> ReadAfter(long afterId, int limit)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, event_id, type, body, created_at FROM webhook_queue WHERE id > $after ORDER BY id LIMIT $limit;";
        command.Parameters.AddWithValue("$after", afterId);
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var items = new List<WebhookItem>();
        while (reader.Read())
        {
            items.Add(new WebhookItem(
                reader.GetInt64(0),
                Guid.ParseExact(reader.GetString(1), "N"),
                reader.GetString(2),
                reader.GetString(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
        }

        return items;
    }

    /// <summary>Deletes events older than <paramref name="before"/>, sent or not. Returns how many were deleted.</summary>
    public int Prune(DateTimeOffset before)
    {
        using var connection = _database.Open();
        return SqliteDatabase.Execute(connection, "DELETE FROM webhook_queue WHERE created_at < $before;", null, ("$before", before.ToUnixTimeMilliseconds()));
    }
}
