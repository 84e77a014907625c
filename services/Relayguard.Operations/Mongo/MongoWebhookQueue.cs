using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Driver;
using Relayguard.Operations.Webhooks;

namespace Relayguard.Operations.Mongo;

/// <summary>
/// <see cref="IWebhookQueue"/> in <c>operations_webhooks</c>, with a TTL index of
/// <see cref="OperationsMaintenance.WebhookRetention"/>, and the receivers' cursors in
/// <c>operations_webhook_cursors</c>. Each event's <c>_id</c> is a number from an atomic counter, and its event id and
/// type form a unique key, so a store that queues the same event again adds nothing.
/// </summary>
/// <remarks>
/// Several replicas queue events at once, so a number can be taken before a smaller one is inserted, and a number
/// whose insert failed is never used. <see cref="ReadAfter"/> therefore stops at a missing number until the event
/// after it is older than <see cref="GapWait"/>, so a cursor does not pass an event that is still being inserted.
/// </remarks>
public sealed class MongoWebhookQueue(MongoOperationsDatabase database, TimeProvider timeProvider) : IWebhookQueue
{
    /// <summary>
    /// How long a missing number holds back the events after it. Taking a number and inserting its event are two
    /// consecutive requests, so a number still missing after this long was lost.
    /// </summary>
    public static readonly TimeSpan GapWait = TimeSpan.FromSeconds(30);

    private static readonly FilterDefinitionBuilder<BsonDocument> Filter = Builders<BsonDocument>.Filter;

    /// <summary>Queues an event unless it was queued before. The body is <c>{"id", "type", "occurredAt", "data"}</c>, as on SQLite.</summary>
    internal static void Enqueue(MongoOperationsDatabase database, string type, Guid eventId, DateTimeOffset occurredAt, object data, DateTimeOffset now)
    {
        var key = $"{MongoOperationsDatabase.Key(eventId)}:{type}";
        if (database.Webhooks.Find(Filter.Eq("key", key)).Any())
        {
            return;
        }

        var body = JsonSerializer.Serialize(new { id = eventId, type, occurredAt, data }, Api.UtcMillisecondsConverter.WebOptions);
        MongoOperationsDatabase.TryInsert(database.Webhooks, new BsonDocument
        {
            ["_id"] = database.NextId("webhooks"),
            ["key"] = key,
            ["event_id"] = MongoOperationsDatabase.Key(eventId),
            ["type"] = type,
            ["body"] = body,
            ["created_at"] = now.UtcDateTime,
        });
    }

    public long GetOrCreateCursor(string url)
    {
        if (database.WebhookCursors.Find(Filter.Eq("_id", url)).FirstOrDefault() is { } existing)
        {
            return existing["after_id"].ToInt64();
        }

        var newest = database.Webhooks.Find(Filter.Empty).Sort(Builders<BsonDocument>.Sort.Descending("_id")).Limit(1).FirstOrDefault();
        try
        {
            // $setOnInsert keeps the cursor of a replica that created it first.
            var cursor = database.WebhookCursors.FindOneAndUpdate(
                Filter.Eq("_id", url),
                new BsonDocument("$setOnInsert", new BsonDocument("after_id", newest?["_id"].ToInt64() ?? 0L)),
                new FindOneAndUpdateOptions<BsonDocument> { IsUpsert = true, ReturnDocument = ReturnDocument.After });
            return cursor["after_id"].ToInt64();
        }
        catch (MongoCommandException exception) when (exception.Code == MongoOperationsDatabase.DuplicateKeyCode)
        {
            return database.WebhookCursors.Find(Filter.Eq("_id", url)).First()["after_id"].ToInt64();
        }
    }

    /// <summary>Moves the cursor forward with <c>$max</c>, so a replica that is behind never moves it back.</summary>
    public void SaveCursor(string url, long afterId) =>
        database.WebhookCursors.UpdateOne(Filter.Eq("_id", url), new BsonDocument("$max", new BsonDocument("after_id", afterId)));

    public IReadOnlyList<WebhookItem> ReadAfter(long afterId, int limit)
    {
        var documents = database.Webhooks.Find(Filter.Gt("_id", afterId)).Sort(Builders<BsonDocument>.Sort.Ascending("_id")).Limit(limit).ToList();
        var settled = timeProvider.GetUtcNow() - GapWait;
        var items = new List<WebhookItem>();
        var expected = afterId + 1;
        foreach (var document in documents)
        {
            var item = new WebhookItem(
                document["_id"].ToInt64(),
                Guid.ParseExact(document["event_id"].AsString, "N"),
                document["type"].AsString,
                document["body"].AsString,
                MongoOperationsDatabase.ReadTime(document, "created_at")!.Value);
            if (item.Id != expected && item.CreatedAt > settled)
            {
                break;
            }

            items.Add(item);
            expected = item.Id + 1;
        }

        return items;
    }

    public int Prune(DateTimeOffset before) =>
        (int)database.Webhooks.DeleteMany(Filter.Lt("created_at", before.UtcDateTime)).DeletedCount;
}
