using MongoDB.Bson;
using MongoDB.Driver;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Mongo;

/// <summary>
/// The collections of the operations service in MongoDB, their indexes (created here, at start), the id counters
/// and the processed-event marks that the MongoDB operations stores share. Every collection name starts with
/// <c>operations_</c>, so the service can share a database with the detectors.
/// </summary>
/// <remarks>
/// NOTE: the MongoDB operations stores have not yet run against a server, because the build machine has none and its
/// CI runs the store contract suite on SQLite alone. Set <c>RELAYGUARD_TEST_MONGODB</c> to run the suite on MongoDB.
/// </remarks>
public sealed class MongoOperationsDatabase
{
    /// <summary>How long a processed-event mark stays. The unique event ids of blocks and warnings guard beyond it.</summary>
    public static readonly TimeSpan MarkRetention = TimeSpan.FromDays(30);

    /// <summary>How long an event stays in the outbox after it was published.</summary>
    public static readonly TimeSpan OutboxRetention = TimeSpan.FromDays(7);

    /// <summary>MongoDB's error code for a duplicate key (E11000).</summary>
    internal const int DuplicateKeyCode = 11000;

    private static readonly FilterDefinitionBuilder<BsonDocument> Filter = Builders<BsonDocument>.Filter;

    public MongoOperationsDatabase(IMongoDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        Blocks = database.GetCollection<BsonDocument>("operations_blocks");
        Allowlist = database.GetCollection<BsonDocument>("operations_allowlist");
        Audit = database.GetCollection<BsonDocument>("operations_audit");
        Webhooks = database.GetCollection<BsonDocument>("operations_webhooks");
        WebhookCursors = database.GetCollection<BsonDocument>("operations_webhook_cursors");
        Warnings = database.GetCollection<BsonDocument>("operations_warnings");
        Tokens = database.GetCollection<BsonDocument>("operations_tokens");
        Outbox = database.GetCollection<BsonDocument>("operations_outbox");
        ProcessedEvents = database.GetCollection<BsonDocument>("operations_processed_events");
        Counters = database.GetCollection<BsonDocument>("operations_counters");
        EnsureIndexes();
    }

    /// <summary>One document per block, keyed by the event id of its block event.</summary>
    internal IMongoCollection<BsonDocument> Blocks { get; }

    /// <summary>One document per allowlist entry, keyed by the event id of its <c>AllowlistEntryAdded</c> event.</summary>
    internal IMongoCollection<BsonDocument> Allowlist { get; }

    internal IMongoCollection<BsonDocument> Audit { get; }

    internal IMongoCollection<BsonDocument> Webhooks { get; }

    internal IMongoCollection<BsonDocument> WebhookCursors { get; }

    internal IMongoCollection<BsonDocument> Warnings { get; }

    internal IMongoCollection<BsonDocument> Tokens { get; }

    internal IMongoCollection<BsonDocument> Outbox { get; }

    internal IMongoCollection<BsonDocument> ProcessedEvents { get; }

    internal IMongoCollection<BsonDocument> Counters { get; }

    /// <summary>Takes the next number of <paramref name="counter"/> with one atomic <c>$inc</c>, starting at 1.</summary>
    internal long NextId(string counter)
    {
        try
        {
            return Increment(counter);
        }
        catch (MongoCommandException exception) when (exception.Code == DuplicateKeyCode)
        {
            // Two first upserts of the counter raced, and the server did not retry the loser itself, as older servers
            // do not for findAndModify. The counter exists now, so the second attempt increments it.
            return Increment(counter);
        }
    }

    internal bool IsMarked(string consumer, Guid eventId) =>
        ProcessedEvents.Find(Filter.Eq("_id", MarkId(consumer, eventId))).Any();

    /// <summary>Records that <paramref name="consumer"/> applied the event. Returns false when it was marked before.</summary>
    internal bool TryMark(string consumer, Guid eventId, DateTimeOffset now) =>
        TryInsert(ProcessedEvents, new BsonDocument { ["_id"] = MarkId(consumer, eventId), ["consumer"] = consumer, ["at"] = now.UtcDateTime });

    /// <summary>Inserts the document. Returns false when a unique index already contains its key.</summary>
    internal static bool TryInsert(IMongoCollection<BsonDocument> collection, BsonDocument document)
    {
        try
        {
            collection.InsertOne(document);
            return true;
        }
        catch (MongoWriteException exception) when (exception.WriteError.Category == ServerErrorCategory.DuplicateKey)
        {
            return false;
        }
    }

    internal static string Key(Guid eventId) => eventId.ToString("N");

    internal static BsonValue Time(DateTimeOffset? time) => time is { } value ? value.UtcDateTime : BsonNull.Value;

    internal static DateTimeOffset? ReadTime(BsonDocument document, string field) =>
        document.GetValue(field, BsonNull.Value) is { IsBsonDateTime: true } value ? new DateTimeOffset(value.ToUniversalTime(), TimeSpan.Zero) : null;

    internal static string? ReadString(BsonDocument document, string field) =>
        document.GetValue(field, BsonNull.Value) is { IsString: true } value ? value.AsString : null;

    private long Increment(string counter)
    {
        var document = Counters.FindOneAndUpdate(
            Filter.Eq("_id", counter),
            new BsonDocument("$inc", new BsonDocument("value", 1L)),
            new FindOneAndUpdateOptions<BsonDocument> { IsUpsert = true, ReturnDocument = ReturnDocument.After });
        return document["value"].ToInt64();
    }

    private static string MarkId(string consumer, Guid eventId) => $"{consumer}:{Key(eventId)}";

    private void EnsureIndexes()
    {
        MongoIndexes.Ensure(Blocks, new BsonDocument("id", 1), unique: true);
        MongoIndexes.Ensure(Blocks, new BsonDocument { ["kind"] = 1, ["subject"] = 1, ["blocked_at"] = -1 }, unique: false);
        MongoIndexes.Ensure(Blocks, new BsonDocument { ["blocked_at"] = -1, ["id"] = -1 }, unique: false);
        MongoIndexes.Ensure(Blocks, new BsonDocument("lift_event_id", 1), unique: false);

        MongoIndexes.Ensure(Allowlist, new BsonDocument("id", 1), unique: true);
        MongoIndexes.Ensure(Allowlist, new BsonDocument { ["kind"] = 1, ["subject"] = 1, ["removed_at"] = 1 }, unique: false);
        MongoIndexes.Ensure(Allowlist, new BsonDocument("remove_event_id", 1), unique: false);

        // Audit entries and webhook events have a key when they belong to an event, so applying it again adds nothing.
        MongoIndexes.Ensure(Audit, new BsonDocument("key", 1), unique: true, Filter.Type("key", BsonType.String));
        MongoIndexes.Ensure(Audit, new BsonDocument { ["kind"] = 1, ["subject"] = 1, ["_id"] = -1 }, unique: false);
        MongoIndexes.Ensure(Webhooks, new BsonDocument("key", 1), unique: true);
        MongoIndexes.EnsureTtl(Webhooks, "created_at", OperationsMaintenance.WebhookRetention);

        MongoIndexes.Ensure(Warnings, new BsonDocument { ["account"] = 1, ["warned_at"] = -1 }, unique: false);
        MongoIndexes.EnsureTtl(Warnings, "warned_at", OperationsMaintenance.WarningRetention);

        MongoIndexes.Ensure(Tokens, new BsonDocument("token_id", 1), unique: false);
        MongoIndexes.Ensure(Outbox, new BsonDocument { ["published_at"] = 1, ["created_at"] = 1 }, unique: false);
        MongoIndexes.EnsureTtl(Outbox, "published_at", OutboxRetention);
        MongoIndexes.EnsureTtl(ProcessedEvents, "at", MarkRetention);
    }
}
