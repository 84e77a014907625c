using System.Text.Json;
using MassTransit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Relayguard.Contracts;
using Relayguard.Operations.Audit;
using Relayguard.Operations.Blocks;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Allowlist;

/// <summary>
/// <see cref="IAllowlistStore"/> in the <c>allowlist</c> table. Each change is written with its audit entry, its event
/// is published, and only then the transaction commits, so a change whose event the bus did not take is rolled back.
/// </summary>
public sealed class SqliteAllowlistStore : IAllowlistStore
{
    private const int MaxHistory = 500;

    private const string Columns = "id, kind, subject, code, reason, added_at, added_by, expires_at, removed_at, removed_by, event_id";

    private const string ActiveCondition = "removed_at IS NULL AND (expires_at IS NULL OR expires_at > $now)";

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SqliteAllowlistStore> _logger;

    public SqliteAllowlistStore(SqliteDatabase database, TimeProvider timeProvider, ILogger<SqliteAllowlistStore> logger)
    {
        _database = database;
        _timeProvider = timeProvider;
        _logger = logger;
        OperationsSchema.EnsureCreated(database);
    }

    public IReadOnlyList<AllowlistEntry> List(string? kind, string state)
    {
        var now = _timeProvider.GetUtcNow();
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {Columns} FROM allowlist
            WHERE ($kind IS NULL OR kind = $kind) AND ({(state == AllowlistStates.All ? "1 = 1" : ActiveCondition)})
            ORDER BY id DESC LIMIT {MaxHistory};
            """;
        command.Parameters.AddWithValue("$kind", (object?)kind ?? DBNull.Value);
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        return ReadAll(command, now);
    }

    public async Task<AllowlistAddResult> AddAsync(NewAllowlistEntry entry, string operatorName, IPublishEndpoint publishEndpoint, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var eventId = Guid.NewGuid();
        var expiresAt = entry.Duration is { } duration ? now + duration : (DateTimeOffset?)null;

        using var connection = _database.Open();
        using var transaction = SqliteDatabase.BeginWrite(connection);
        var replaced = MarkRemoved(connection, transaction, entry.Kind, entry.Subject, entry.Code ?? string.Empty, operatorName, now).SingleOrDefault();
        SqliteDatabase.Execute(
            connection,
            """
            INSERT INTO allowlist (kind, subject, code, reason, added_at, added_by, expires_at, event_id)
            VALUES ($kind, $subject, $code, $reason, $at, $by, $expires, $event);
            """,
            transaction,
            ("$kind", entry.Kind),
            ("$subject", entry.Subject),
            ("$code", entry.Code ?? string.Empty),
            ("$reason", entry.Reason),
            ("$at", now.ToUnixTimeMilliseconds()),
            ("$by", operatorName),
            ("$expires", expiresAt?.ToUnixTimeMilliseconds()),
            ("$event", eventId.ToString("N")));
        SqliteAuditLog.Append(connection, transaction, new AuditEntry
        {
            At = now,
            Actor = operatorName,
            Action = AuditActions.AllowAdd,
            Kind = entry.Kind,
            Subject = entry.Subject,
            Code = entry.Code,
            Reason = entry.Reason,
            Detail = JsonSerializer.SerializeToElement(new { expiresAt, eventId, replacedId = replaced?.Id }, Api.UtcMillisecondsConverter.WebOptions),
        });

        var message = new AllowlistEntryAdded
        {
            EventId = eventId,
            Kind = entry.Kind,
            Subject = entry.Subject,
            Code = entry.Code,
            Reason = entry.Reason,
            Operator = operatorName,
            AddedAt = now,
            ExpiresAt = expiresAt,
        };
        await EventPublishing.PublishAsync(publishEndpoint, message, eventId, _logger, entry.Kind, entry.Subject, operatorName, cancellationToken);

        var added = FindByEvent(connection, transaction, eventId, now);
        transaction.Commit();
        AllowlistLog.EntryAdded(_logger, operatorName, entry.Kind, entry.Subject, entry.Code ?? "every rule", BlocksLog.FormatExpiry(expiresAt), eventId, entry.Reason);
        return new AllowlistAddResult(added, replaced);
    }

    public async Task<IReadOnlyList<AllowlistEntry>> RemoveAsync(
        string kind,
        string subject,
        string? code,
        string operatorName,
        IPublishEndpoint publishEndpoint,
        CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        using var connection = _database.Open();
        using var transaction = SqliteDatabase.BeginWrite(connection);
        var removed = MarkRemoved(connection, transaction, kind, subject, code, operatorName, now);
        foreach (var entry in removed)
        {
            SqliteAuditLog.Append(connection, transaction, new AuditEntry
            {
                At = now,
                Actor = operatorName,
                Action = AuditActions.AllowRemove,
                Kind = kind,
                Subject = subject,
                Code = entry.Code,
                Detail = JsonSerializer.SerializeToElement(new { entry.Id, entry.EventId }, Api.UtcMillisecondsConverter.WebOptions),
            });
            var eventId = Guid.NewGuid();
            var message = new AllowlistEntryRemoved
            {
                EventId = eventId,
                Kind = kind,
                Subject = subject,
                Code = entry.Code,
                Operator = operatorName,
                RemovedAt = now,
            };
            await EventPublishing.PublishAsync(publishEndpoint, message, eventId, _logger, kind, subject, operatorName, cancellationToken);
        }

        transaction.Commit();
        foreach (var entry in removed)
        {
            AllowlistLog.EntryRemoved(_logger, operatorName, kind, subject, entry.Code ?? "every rule", entry.Id);
        }

        return removed;
    }

    /// <summary>Marks the matching active entries removed inside the caller's transaction and returns them as they are now.</summary>
    private static List<AllowlistEntry> MarkRemoved(
        SqliteConnection connection,
        SqliteTransaction transaction,
        string kind,
        string subject,
        string? code,
        string operatorName,
        DateTimeOffset now)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            SELECT {Columns} FROM allowlist
            WHERE kind = $kind AND subject = $subject AND ($code IS NULL OR code = $code) AND {ActiveCondition}
            ORDER BY id;
            """;
        command.Parameters.AddWithValue("$kind", kind);
        command.Parameters.AddWithValue("$subject", subject);
        command.Parameters.AddWithValue("$code", (object?)code ?? DBNull.Value);
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        var active = ReadAll(command, now);
        foreach (var entry in active)
        {
            SqliteDatabase.Execute(
                connection,
                "UPDATE allowlist SET removed_at = $at, removed_by = $by WHERE id = $id;",
                transaction,
                ("$at", now.ToUnixTimeMilliseconds()),
                ("$by", operatorName),
                ("$id", entry.Id));
        }

        return active.Select(entry => entry with { State = AllowlistStates.Removed, RemovedAt = now, RemovedBy = operatorName }).ToList();
    }

    private static AllowlistEntry FindByEvent(SqliteConnection connection, SqliteTransaction transaction, Guid eventId, DateTimeOffset now)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT {Columns} FROM allowlist WHERE event_id = $event;";
        command.Parameters.AddWithValue("$event", eventId.ToString("N"));
        return ReadAll(command, now).Single();
    }

    private static List<AllowlistEntry> ReadAll(SqliteCommand command, DateTimeOffset now)
    {
        var entries = new List<AllowlistEntry>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var expiresAt = ReadTime(reader, 7);
            var removedAt = ReadTime(reader, 8);
            var code = reader.GetString(3);
            entries.Add(new AllowlistEntry
            {
                Id = reader.GetInt64(0),
                Kind = reader.GetString(1),
                Subject = reader.GetString(2),
                Code = code.Length == 0 ? null : code,
                Reason = reader.GetString(4),
                State = removedAt is not null ? AllowlistStates.Removed
                    : expiresAt is { } expiry && expiry <= now ? AllowlistStates.Expired
                    : AllowlistStates.Active,
                AddedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                AddedBy = reader.GetString(6),
                ExpiresAt = expiresAt,
                RemovedAt = removedAt,
                RemovedBy = reader.IsDBNull(9) ? null : reader.GetString(9),
                EventId = Guid.ParseExact(reader.GetString(10), "N"),
            });
        }

        return entries;
    }

    private static DateTimeOffset? ReadTime(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));
}
