using MongoDB.Bson;
using MongoDB.Driver;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// The MongoDB counterpart of <see cref="ProcessedEvents"/>: one document per consumer and event id in
/// <c>processed_events</c>, whose unique <c>_id</c> makes the mark atomic across replicas. MongoDB without a replica
/// set has no multi-document transactions, so the stores apply an event's state change idempotently first and mark
/// it afterwards. A mark only saves the work of a redelivery.
/// Every detector keeps its marks in this one collection for a retention of its own, so each mark carries its expiry
/// in <c>expires_at</c>, and one TTL index on that field serves them all.
/// </summary>
public sealed class MongoProcessedEvents
{
    public const string CollectionName = "processed_events";

    private readonly IMongoCollection<BsonDocument> _collection;
    private readonly TimeSpan _retention;

    public MongoProcessedEvents(IMongoDatabase database, TimeSpan retention)
    {
        ArgumentNullException.ThrowIfNull(database);
        _collection = database.GetCollection<BsonDocument>(CollectionName);
        _retention = retention;

        // Earlier versions expired every mark by one TTL on "at", which the last detector to start set for all.
        MongoIndexes.DropIfExists(_collection, "at_ttl");
        MongoIndexes.EnsureTtl(_collection, "expires_at", TimeSpan.Zero);
        MongoIndexes.Ensure(_collection, new BsonDocument { ["consumer"] = 1, ["at"] = 1 }, unique: false);
    }

    public async Task<bool> IsMarkedAsync(string consumer, Guid eventId, CancellationToken cancellationToken) =>
        await _collection.Find(Filter(consumer, eventId)).AnyAsync(cancellationToken);

    /// <summary>Records the event; returns false when the consumer had already marked it.</summary>
    public async Task<bool> TryMarkAsync(string consumer, Guid eventId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            await _collection.InsertOneAsync(new BsonDocument
            {
                ["_id"] = Id(consumer, eventId),
                ["consumer"] = consumer,
                ["at"] = now.UtcDateTime,
                ["expires_at"] = (now + _retention).UtcDateTime,
            }, cancellationToken: cancellationToken);
            return true;
        }
        catch (MongoWriteException exception) when (exception.WriteError.Category == ServerErrorCategory.DuplicateKey)
        {
            return false;
        }
    }

    public async Task<long> PruneAsync(IEnumerable<string> consumers, DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        var filter = Builders<BsonDocument>.Filter.In("consumer", consumers) & Builders<BsonDocument>.Filter.Lt("at", olderThan.UtcDateTime);
        return (await _collection.DeleteManyAsync(filter, cancellationToken)).DeletedCount;
    }

    private static FilterDefinition<BsonDocument> Filter(string consumer, Guid eventId) => Builders<BsonDocument>.Filter.Eq("_id", Id(consumer, eventId));

    private static string Id(string consumer, Guid eventId) => $"{consumer}:{eventId:N}";
}
