using System.Text.Json;
using Microsoft.Extensions.Logging;
using Relayguard.Contracts;
using Relayguard.Operations.Webhooks;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Warnings;

/// <summary>The early warnings the detectors published, in the <c>account_warnings</c> table, each queued for the webhooks as it is stored.</summary>
public sealed partial class SqliteWarningStore : IWarningStore
{
    /// <summary>The <c>processed_events</c> consumer name of warnings.</summary>
    internal const string WarningEventsConsumer = "operations-warnings";

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SqliteWarningStore> _logger;

    public SqliteWarningStore(SqliteDatabase database, TimeProvider timeProvider, ILogger<SqliteWarningStore> logger)
    {
        _database = database;
        _timeProvider = timeProvider;
        _logger = logger;
        OperationsSchema.EnsureCreated(database);
    }

    /// <summary>Stores a warning once per event id and queues its webhook in the same transaction. Returns false for a repeated event.</summary>
    public bool Record(AccountWarned warning)
    {
        var now = _timeProvider.GetUtcNow();
        using var connection = _database.Open();
        using var transaction = SqliteDatabase.BeginWrite(connection);
        if (!ProcessedEvents.TryMark(connection, transaction, WarningEventsConsumer, warning.EventId, now))
        {
            return false;
        }

        SqliteDatabase.Execute(
            connection,
            """
            INSERT OR IGNORE INTO account_warnings (event_id, account, code, window_start, warned_at, message)
            VALUES ($event, $account, $code, $window, $at, $message);
            """,
            transaction,
            ("$event", warning.EventId.ToString("N")),
            ("$account", warning.Account),
            ("$code", warning.Code),
            ("$window", warning.WindowStart.ToUnixTimeMilliseconds()),
            ("$at", warning.WarnedAt.ToUnixTimeMilliseconds()),
            ("$message", JsonSerializer.Serialize(warning, JsonSerializerOptions.Web)));
        SqliteWebhookQueue.Enqueue(connection, transaction, nameof(AccountWarned), warning.EventId, warning.WarnedAt, warning, now);
        transaction.Commit();
        LogWarningRecorded(_logger, warning.Account, warning.Code, warning.InvalidRecipients, warning.DistinctRecipients, warning.EventId);
        return true;
    }

    /// <summary>Reads the newest warnings, of one account or of all.</summary>
    public IReadOnlyList<AccountWarned> List(string? account, int limit)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT message FROM account_warnings
            WHERE ($account IS NULL OR account = $account)
            ORDER BY warned_at DESC, event_id DESC LIMIT $limit;
            """;
        command.Parameters.AddWithValue("$account", (object?)account ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var warnings = new List<AccountWarned>();
        while (reader.Read())
        {
            warnings.Add(JsonSerializer.Deserialize<AccountWarned>(reader.GetString(0), JsonSerializerOptions.Web)!);
        }

        return warnings;
    }

    /// <summary>Deletes warnings older than <paramref name="before"/>. Returns how many were deleted.</summary>
    public int Prune(DateTimeOffset before)
    {
        using var connection = _database.Open();
        return SqliteDatabase.Execute(connection, "DELETE FROM account_warnings WHERE warned_at < $before;", null, ("$before", before.ToUnixTimeMilliseconds()));
    }

    [LoggerMessage(EventId = OperationsEventIds.WarningRecorded, Level = LogLevel.Information,
        Message = "Recorded the {Code} warning of account {Account}: {InvalidCount} of {DistinctCount} recipients invalid (event {EventId}).")]
    internal static partial void LogWarningRecorded(ILogger logger, string account, string code, int invalidCount, int distinctCount, Guid eventId);
}
