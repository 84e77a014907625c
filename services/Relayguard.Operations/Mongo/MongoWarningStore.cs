using System.Text.Json;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using Relayguard.Contracts;
using Relayguard.Operations.Warnings;

namespace Relayguard.Operations.Mongo;

/// <summary>
/// <see cref="IWarningStore"/> in <c>operations_warnings</c>, one document per warning keyed by its event id, with a
/// TTL index of <see cref="OperationsMaintenance.WarningRetention"/>.
/// </summary>
public sealed class MongoWarningStore(MongoOperationsDatabase database, TimeProvider timeProvider, ILogger<MongoWarningStore> logger) : IWarningStore
{
    private static readonly FilterDefinitionBuilder<BsonDocument> Filter = Builders<BsonDocument>.Filter;

    /// <summary>
    /// Inserts the warning, then queues its webhook. The queue skips an event it has, so a redelivery after a crash
    /// between the two steps queues the webhook that the first delivery missed.
    /// </summary>
    public bool Record(AccountWarned warning)
    {
        ArgumentNullException.ThrowIfNull(warning);
        var now = timeProvider.GetUtcNow();
        var inserted = MongoOperationsDatabase.TryInsert(database.Warnings, new BsonDocument
        {
            ["_id"] = MongoOperationsDatabase.Key(warning.EventId),
            ["account"] = warning.Account,
            ["code"] = warning.Code,
            ["window_start"] = warning.WindowStart.UtcDateTime,
            ["warned_at"] = warning.WarnedAt.UtcDateTime,
            ["message"] = JsonSerializer.Serialize(warning, JsonSerializerOptions.Web),
        });
        MongoWebhookQueue.Enqueue(database, nameof(AccountWarned), warning.EventId, warning.WarnedAt, warning, now);
        if (inserted)
        {
            SqliteWarningStore.LogWarningRecorded(logger, warning.Account, warning.Code, warning.InvalidRecipients, warning.DistinctRecipients, warning.EventId);
        }

        return inserted;
    }

    public IReadOnlyList<AccountWarned> List(string? account, int limit)
    {
        var filter = account is null ? Filter.Empty : Filter.Eq("account", account);
        var documents = database.Warnings.Find(filter)
            .Sort(Builders<BsonDocument>.Sort.Descending("warned_at").Descending("_id"))
            .Limit(limit)
            .ToList();
        return documents.Select(document => JsonSerializer.Deserialize<AccountWarned>(document["message"].AsString, JsonSerializerOptions.Web)!).ToList();
    }

    public int Prune(DateTimeOffset before) =>
        (int)database.Warnings.DeleteMany(Filter.Lt("warned_at", before.UtcDateTime)).DeletedCount;
}
