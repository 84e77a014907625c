using MongoDB.Bson;
using MongoDB.Driver;

namespace Relayguard.ServiceDefaults;

/// <summary>Creates the indexes of the MongoDB stores at start; creating an index that exists is a no-op.</summary>
public static class MongoIndexes
{
    // MongoDB's codes for an index that exists with other options (IndexOptionsConflict, IndexKeySpecsConflict).
    private static readonly int[] ConflictCodes = [85, 86];

    // MongoDB's codes for a missing index or collection (IndexNotFound, NamespaceNotFound).
    private static readonly int[] NotFoundCodes = [27, 26];

    public static void Ensure(IMongoCollection<BsonDocument> collection, BsonDocument keys, bool unique, FilterDefinition<BsonDocument>? partialFilter = null)
    {
        ArgumentNullException.ThrowIfNull(collection);
        var options = new CreateIndexOptions<BsonDocument> { Unique = unique, PartialFilterExpression = partialFilter };
        collection.Indexes.CreateOne(new CreateIndexModel<BsonDocument>(keys, options));
    }

    /// <summary>
    /// Ensures a TTL index that deletes documents once <paramref name="field"/> (a date) is older than
    /// <paramref name="expireAfter"/>. A TTL changed by configuration is applied with <c>collMod</c>, because MongoDB
    /// refuses to create the same index again with another expiry.
    /// </summary>
    public static void EnsureTtl(IMongoCollection<BsonDocument> collection, string field, TimeSpan expireAfter)
    {
        ArgumentNullException.ThrowIfNull(collection);
        var keys = new BsonDocument(field, 1);
        var name = field + "_ttl";
        try
        {
            collection.Indexes.CreateOne(new CreateIndexModel<BsonDocument>(keys, new CreateIndexOptions { Name = name, ExpireAfter = expireAfter }));
        }
        catch (MongoCommandException exception) when (ConflictCodes.Contains(exception.Code))
        {
            collection.Database.RunCommand<BsonDocument>(new BsonDocument
            {
                ["collMod"] = collection.CollectionNamespace.CollectionName,
                ["index"] = new BsonDocument { ["name"] = name, ["expireAfterSeconds"] = (long)expireAfter.TotalSeconds },
            });
        }
    }

    /// <summary>Drops the index called <paramref name="name"/>; a missing index or collection is not an error.</summary>
    public static void DropIfExists(IMongoCollection<BsonDocument> collection, string name)
    {
        ArgumentNullException.ThrowIfNull(collection);
        try
        {
            collection.Indexes.DropOne(name);
        }
        catch (MongoCommandException exception) when (NotFoundCodes.Contains(exception.Code))
        {
        }
    }
}
