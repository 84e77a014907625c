using System.Text.Json;
using Microsoft.Data.Sqlite;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Audit;

/// <summary>
/// The append-only record of every block, lift, allowlist and token change in the <c>audit_log</c> table. Callers append
/// inside the transaction of the change itself, so a change is never stored without its entry.
/// </summary>
public sealed class SqliteAuditLog : IAuditLog
{
    private readonly SqliteDatabase _database;

    public SqliteAuditLog(SqliteDatabase database)
    {
        _database = database;
        OperationsSchema.EnsureCreated(database);
    }

    public static void Append(SqliteConnection connection, SqliteTransaction transaction, AuditEntry entry) =>
        SqliteDatabase.Execute(
            connection,
            """
            INSERT INTO audit_log (at, actor, action, kind, subject, code, reason, detail)
            VALUES ($at, $actor, $action, $kind, $subject, $code, $reason, $detail);
            """,
            transaction,
            ("$at", entry.At.ToUnixTimeMilliseconds()),
            ("$actor", entry.Actor),
            ("$action", entry.Action),
            ("$kind", entry.Kind),
            ("$subject", entry.Subject),
            ("$code", entry.Code),
            ("$reason", entry.Reason),
            ("$detail", entry.Detail?.GetRawText()));

    public Page<AuditEntry> List(int limit, long? afterId = null, string? kind = null, string? subject = null)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT id, at, actor, action, kind, subject, code, reason, detail FROM audit_log
            WHERE ($after IS NULL OR id < $after)
              AND ($kind IS NULL OR kind = $kind)
              AND ($subject IS NULL OR subject = $subject)
            ORDER BY id DESC
            LIMIT $take;
            """;
        command.Parameters.AddWithValue("$after", (object?)afterId ?? DBNull.Value);
        command.Parameters.AddWithValue("$kind", (object?)kind ?? DBNull.Value);
        command.Parameters.AddWithValue("$subject", (object?)subject ?? DBNull.Value);
        command.Parameters.AddWithValue("$take", limit + 1);

        var items = new List<AuditEntry>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            items.Add(new AuditEntry
            {
                Id = reader.GetInt64(0),
                At = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                Actor = reader.GetString(2),
                Action = reader.GetString(3),
                Kind = reader.IsDBNull(4) ? null : reader.GetString(4),
                Subject = reader.IsDBNull(5) ? null : reader.GetString(5),
                Code = reader.IsDBNull(6) ? null : reader.GetString(6),
                Reason = reader.IsDBNull(7) ? null : reader.GetString(7),
                Detail = reader.IsDBNull(8) ? null : JsonSerializer.Deserialize<JsonElement>(reader.GetString(8)),
            });
        }

        if (items.Count <= limit)
        {
            return new Page<AuditEntry>(items, null);
        }

        items.RemoveAt(limit);
        var last = items[^1];
        return new Page<AuditEntry>(items, IAuditLog.EncodeCursor(last.Id, kind, subject));
    }
}
