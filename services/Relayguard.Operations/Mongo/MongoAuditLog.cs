using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Driver;
using Relayguard.Operations.Audit;

namespace Relayguard.Operations.Mongo;

/// <summary>
/// <see cref="IAuditLog"/> in <c>operations_audit</c>. Each entry's <c>_id</c> is a number from an atomic counter, so
/// entries sort newest first as on SQLite. An entry that belongs to an event has a unique key, so a store that applies
/// the event again after a crash adds no second entry.
/// </summary>
public sealed class MongoAuditLog(MongoOperationsDatabase database) : IAuditLog
{
    private static readonly FilterDefinitionBuilder<BsonDocument> Filter = Builders<BsonDocument>.Filter;

    /// <summary>Appends the entry unless an entry with <paramref name="key"/> exists. A null key always appends.</summary>
    internal static void Append(MongoOperationsDatabase database, AuditEntry entry, string? key)
    {
        if (key is not null && database.Audit.Find(Filter.Eq("key", key)).Any())
        {
            return;
        }

        var document = new BsonDocument
        {
            ["_id"] = database.NextId("audit"),
            ["at"] = entry.At.UtcDateTime,
            ["actor"] = entry.Actor,
            ["action"] = entry.Action,
            ["kind"] = (BsonValue?)entry.Kind ?? BsonNull.Value,
            ["subject"] = (BsonValue?)entry.Subject ?? BsonNull.Value,
            ["code"] = (BsonValue?)entry.Code ?? BsonNull.Value,
            ["reason"] = (BsonValue?)entry.Reason ?? BsonNull.Value,
            ["detail"] = entry.Detail is { } detail ? detail.GetRawText() : BsonNull.Value,
        };
        if (key is not null)
        {
            document["key"] = key;
        }

        // A duplicate key means another replica appended the same entry between the check and this insert.
        MongoOperationsDatabase.TryInsert(database.Audit, document);
    }

    public Page<AuditEntry> List(int limit, long? afterId = null, string? kind = null, string? subject = null)
    {
        var filter = Filter.Empty;
        if (afterId is { } after)
        {
            filter &= Filter.Lt("_id", after);
        }

        if (kind is not null)
        {
            filter &= Filter.Eq("kind", kind);
        }

        if (subject is not null)
        {
            filter &= Filter.Eq("subject", subject);
        }

        var documents = database.Audit.Find(filter).Sort(Builders<BsonDocument>.Sort.Descending("_id")).Limit(limit + 1).ToList();
        var items = documents.Select(Read).ToList();
        if (items.Count <= limit)
        {
            return new Page<AuditEntry>(items, null);
        }

        items.RemoveAt(limit);
        return new Page<AuditEntry>(items, IAuditLog.EncodeCursor(items[^1].Id, kind, subject));
    }

    private static AuditEntry Read(BsonDocument document) => new()
    {
        Id = document["_id"].ToInt64(),
        At = MongoOperationsDatabase.ReadTime(document, "at")!.Value,
        Actor = document["actor"].AsString,
        Action = document["action"].AsString,
        Kind = MongoOperationsDatabase.ReadString(document, "kind"),
        Subject = MongoOperationsDatabase.ReadString(document, "subject"),
        Code = MongoOperationsDatabase.ReadString(document, "code"),
        Reason = MongoOperationsDatabase.ReadString(document, "reason"),
        Detail = MongoOperationsDatabase.ReadString(document, "detail") is { } detail ? JsonSerializer.Deserialize<JsonElement>(detail) : null,
    };
}
