using System.Text.Json;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca1;

/// <summary><see cref="ICa1WarningStore"/> in the table <c>ca1_warnings</c> of the shared SQLite file.</summary>
public sealed class SqliteCa1WarningStore : ICa1WarningStore
{
    private readonly SqliteDatabase _database;

    public SqliteCa1WarningStore(SqliteDatabase database)
    {
        _database = database;
        database.EnsureSchema("""
            CREATE TABLE IF NOT EXISTS ca1_warnings (
                account TEXT NOT NULL,
                window_start INTEGER NOT NULL,
                event_id TEXT NOT NULL,
                message TEXT NOT NULL,
                published_at INTEGER,
                PRIMARY KEY (account, window_start)
            ) WITHOUT ROWID;
            """);
    }

    public AccountWarned? Record(AccountWarned warning, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(warning);
        using var connection = _database.Open();
        using var transaction = SqliteDatabase.BeginWrite(connection);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT message, published_at FROM ca1_warnings WHERE account = $account AND window_start = $window;";
        command.Parameters.AddWithValue("$account", warning.Account);
        command.Parameters.AddWithValue("$window", warning.WindowStart.ToUnixTimeMilliseconds());
        using (var reader = command.ExecuteReader())
        {
            if (reader.Read())
            {
                return reader.IsDBNull(1) ? JsonSerializer.Deserialize<AccountWarned>(reader.GetString(0), JsonSerializerOptions.Web) : null;
            }
        }

        SqliteDatabase.Execute(
            connection,
            "INSERT INTO ca1_warnings (account, window_start, event_id, message) VALUES ($account, $window, $event, $message);",
            transaction,
            ("$account", warning.Account),
            ("$window", warning.WindowStart.ToUnixTimeMilliseconds()),
            ("$event", warning.EventId.ToString("N")),
            ("$message", JsonSerializer.Serialize(warning, JsonSerializerOptions.Web)));
        transaction.Commit();
        return warning;
    }

    /// <summary>
    /// Records that the warning was published. The write takes this process's write gate, as the other writes do, so
    /// it waits its turn instead of meeting their transactions as SQLITE_BUSY in SQLite's sleeping busy handler.
    /// </summary>
    public void MarkPublished(Guid eventId, DateTimeOffset now) =>
        _database.Write(connection => SqliteDatabase.Execute(
            connection,
            "UPDATE ca1_warnings SET published_at = $now WHERE event_id = $event AND published_at IS NULL;",
            null,
            ("$now", now.ToUnixTimeMilliseconds()),
            ("$event", eventId.ToString("N"))));

    public void CloseWindow(string account, DateTimeOffset windowStart, Guid blockEventId, DateTimeOffset now) =>
        _database.Write(connection => SqliteDatabase.Execute(
            connection,
            """
            INSERT INTO ca1_warnings (account, window_start, event_id, message, published_at) VALUES ($account, $window, $event, '', $now)
            ON CONFLICT(account, window_start) DO UPDATE SET published_at = COALESCE(ca1_warnings.published_at, excluded.published_at);
            """,
            null,
            ("$account", account),
            ("$window", windowStart.ToUnixTimeMilliseconds()),
            ("$event", blockEventId.ToString("N")),
            ("$now", now.ToUnixTimeMilliseconds())));

    public int Prune(DateTimeOffset windowsBefore)
    {
        using var connection = _database.Open();
        return SqliteDatabase.Execute(connection, "DELETE FROM ca1_warnings WHERE window_start < $cutoff;", null, ("$cutoff", windowsBefore.ToUnixTimeMilliseconds()));
    }
}
