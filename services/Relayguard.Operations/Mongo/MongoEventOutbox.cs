using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using Relayguard.Contracts;
using Relayguard.Operations.Blocks;

namespace Relayguard.Operations.Mongo;

/// <summary>
/// The outbox of the operators' events in <c>operations_outbox</c>, one document per event keyed by its event id.
/// </summary>
/// <remarks>
/// On SQLite an operator's change and the publish of its event share one transaction, which is rolled back when the
/// bus does not take the event. MongoDB without a replica set has no multi-document transactions, so the MongoDB
/// stores cannot roll a change back once other replicas may have read it. They write the event here first, then
/// apply the change with idempotent single-document updates, then publish. Each event document names the field
/// that the change sets to the event id (for example <c>lift_event_id</c> of a block), so
/// <see cref="PublishPendingAsync"/> can tell whether the change was stored. A publish that fails leaves the event
/// pending, and the relay publishes it later, with the event id as the message id, so consumers drop a second copy.
/// The relay deletes an event whose change was never stored, because the request that wrote it stopped before.
/// NOTE: a request that stalls for longer than <see cref="PendingGrace"/> between writing its event and storing its
/// change, and then fails to publish, loses that event, because the relay has deleted it in the meantime.
/// </remarks>
public sealed class MongoEventOutbox(MongoOperationsDatabase database, TimeProvider timeProvider)
{
    /// <summary>
    /// How old a pending event must be before the relay takes it. A request publishes its own event within the publish
    /// timeout of 10 seconds, so an event pending for longer belongs to a request that failed or stopped.
    /// </summary>
    public static readonly TimeSpan PendingGrace = TimeSpan.FromMinutes(1);

    internal const string BlocksCollection = "blocks";
    internal const string AllowlistCollection = "allowlist";

    private const int BatchSize = 100;

    private static readonly FilterDefinitionBuilder<BsonDocument> Filter = Builders<BsonDocument>.Filter;

    private static readonly Dictionary<string, Type> MessageTypes = new Type[]
    {
        typeof(AccountBlocked), typeof(IpBlocked), typeof(AccountUnblocked), typeof(IpUnblocked),
        typeof(AllowlistEntryAdded), typeof(AllowlistEntryRemoved),
    }.ToDictionary(type => type.Name, StringComparer.Ordinal);

    /// <summary>
    /// Stores the event as pending. <paramref name="changeField"/> of a document in <paramref name="changeCollection"/>
    /// (<see cref="BlocksCollection"/> or <see cref="AllowlistCollection"/>) contains the event id once the change is stored.
    /// </summary>
    internal void Add(Guid eventId, object message, string changeCollection, string changeField)
    {
        var type = message.GetType().Name;
        if (!MessageTypes.ContainsKey(type))
        {
            throw new ArgumentException($"The outbox cannot publish {type}: add it to its message types.", nameof(message));
        }

        MongoOperationsDatabase.TryInsert(database.Outbox, new BsonDocument
        {
            ["_id"] = MongoOperationsDatabase.Key(eventId),
            ["type"] = type,
            ["message"] = JsonSerializer.Serialize(message, message.GetType(), JsonSerializerOptions.Web),
            ["change_collection"] = changeCollection,
            ["change_field"] = changeField,
            ["created_at"] = timeProvider.GetUtcNow().UtcDateTime,
            ["published_at"] = BsonNull.Value,
        });
    }

    /// <summary>Replaces the message of a pending event, for a change that turned out smaller than planned.</summary>
    internal void Replace(Guid eventId, object message) =>
        database.Outbox.UpdateOne(
            Pending(eventId),
            new BsonDocument("$set", new BsonDocument("message", JsonSerializer.Serialize(message, message.GetType(), JsonSerializerOptions.Web))));

    /// <summary>Deletes a pending event whose change was not stored.</summary>
    internal void Delete(Guid eventId) => database.Outbox.DeleteOne(Pending(eventId));

    /// <summary>
    /// Publishes the event of a change that is stored, and marks it published. A failure to publish is logged and
    /// leaves the event to <see cref="PublishPendingAsync"/>, because the change cannot be rolled back.
    /// </summary>
    internal async Task PublishAsync(object message, Guid eventId, EventPublisher publish, ILogger logger, string kind, string subject, CancellationToken cancellationToken)
    {
        try
        {
            await publish(message, eventId, cancellationToken);
        }
        catch (EventPublishException)
        {
            BlocksLog.PublishDeferred(logger, kind, subject, message.GetType().Name, eventId);
            return;
        }

        MarkPublished(eventId);
    }

    /// <summary>
    /// Publishes the events that have been pending for longer than <see cref="PendingGrace"/> and whose change is
    /// stored, and deletes those whose change is not. Returns the number published. A publish that fails raises.
    /// </summary>
    public async Task<int> PublishPendingAsync(IPublishEndpoint publishEndpoint, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(publishEndpoint);
        var cutoff = timeProvider.GetUtcNow() - PendingGrace;
        var pending = await database.Outbox
            .Find(Filter.Eq("published_at", BsonNull.Value) & Filter.Lt("created_at", cutoff.UtcDateTime))
            .Sort(Builders<BsonDocument>.Sort.Ascending("created_at"))
            .Limit(BatchSize)
            .ToListAsync(cancellationToken);
        var published = 0;
        foreach (var document in pending)
        {
            var eventId = Guid.ParseExact(document["_id"].AsString, "N");
            var type = document["type"].AsString;
            var changes = document["change_collection"].AsString == AllowlistCollection ? database.Allowlist : database.Blocks;
            if (!await changes.Find(Filter.Eq(document["change_field"].AsString, document["_id"])).AnyAsync(cancellationToken))
            {
                Delete(eventId);
                BlocksLog.OutboxDropped(logger, type, eventId);
                continue;
            }

            var messageType = MessageTypes[type];
            var message = JsonSerializer.Deserialize(document["message"].AsString, messageType, JsonSerializerOptions.Web)!;
            await publishEndpoint.Publish(message, messageType, context => context.MessageId = eventId, cancellationToken);
            MarkPublished(eventId);
            BlocksLog.OutboxPublished(logger, type, eventId);
            published++;
        }

        return published;
    }

    private void MarkPublished(Guid eventId) =>
        database.Outbox.UpdateOne(Pending(eventId), new BsonDocument("$set", new BsonDocument("published_at", timeProvider.GetUtcNow().UtcDateTime)));

    private static FilterDefinition<BsonDocument> Pending(Guid eventId) =>
        Filter.Eq("_id", MongoOperationsDatabase.Key(eventId)) & Filter.Eq("published_at", BsonNull.Value);
}
