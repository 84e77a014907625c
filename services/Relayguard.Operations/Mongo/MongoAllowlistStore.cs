using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using Relayguard.Contracts;
using Relayguard.Operations.Allowlist;
using Relayguard.Operations.Audit;
using Relayguard.Operations.Blocks;

namespace Relayguard.Operations.Mongo;

/// <summary>
/// <see cref="IAllowlistStore"/> in <c>operations_allowlist</c>: one document per entry keyed by the event id of its
/// <see cref="AllowlistEntryAdded"/>, with a numeric <c>id</c> from an atomic counter. The events go through the
/// <see cref="MongoEventOutbox"/>, so a change whose event the bus did not take stays and is announced later; these
/// methods raise no <see cref="EventPublishException"/>.
/// </summary>
public sealed class MongoAllowlistStore(
    MongoOperationsDatabase database,
    MongoEventOutbox outbox,
    TimeProvider timeProvider,
    ILogger<MongoAllowlistStore> logger) : IAllowlistStore
{
    private const int MaxHistory = 500;

    private static readonly FilterDefinitionBuilder<BsonDocument> Filter = Builders<BsonDocument>.Filter;

    public IReadOnlyList<AllowlistEntry> List(string? kind, string state)
    {
        var now = timeProvider.GetUtcNow();
        var filter = state == AllowlistStates.All ? Filter.Empty : Active(now);
        if (kind is not null)
        {
            filter &= Filter.Eq("kind", kind);
        }

        return database.Allowlist.Find(filter).Sort(Builders<BsonDocument>.Sort.Descending("id")).Limit(MaxHistory).ToList()
            .Select(document => Read(document, now))
            .ToList();
    }

    /// <summary>
    /// Inserts the entry, then removes the older active entries of the same kind, subject and code, each with an update
    /// that matches only while it is active. An entry added at the same time by another replica with a higher id
    /// replaces this one, whichever of the two requests finishes first.
    /// </summary>
    /// <remarks>
    /// NOTE: when two replicas add an entry for the same subject and code at once, both events are published, and a
    /// detector that receives them in the other order keeps the older entry until the next change.
    /// </remarks>
    public async Task<AllowlistAddResult> AddAsync(NewAllowlistEntry entry, string operatorName, IPublishEndpoint publishEndpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var now = timeProvider.GetUtcNow();
        var eventId = Guid.NewGuid();
        var code = entry.Code ?? string.Empty;
        var expiresAt = entry.Duration is { } duration ? now + duration : (DateTimeOffset?)null;
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
        outbox.Add(eventId, message, MongoEventOutbox.AllowlistCollection, "_id");

        var id = database.NextId("allowlist");
        database.Allowlist.InsertOne(new BsonDocument
        {
            ["_id"] = MongoOperationsDatabase.Key(eventId),
            ["id"] = id,
            ["kind"] = entry.Kind,
            ["subject"] = entry.Subject,
            ["code"] = code,
            ["reason"] = entry.Reason,
            ["added_at"] = now.UtcDateTime,
            ["added_by"] = operatorName,
            ["expires_at"] = MongoOperationsDatabase.Time(expiresAt),
            ["removed_at"] = BsonNull.Value,
            ["removed_by"] = BsonNull.Value,
            ["remove_event_id"] = BsonNull.Value,
        }, cancellationToken: cancellationToken);

        var slot = Filter.Eq("kind", entry.Kind) & Filter.Eq("subject", entry.Subject) & Filter.Eq("code", code);
        AllowlistEntry? replaced = null;
        foreach (var older in database.Allowlist.Find(slot & Active(now) & Filter.Lt("id", id)).Sort(Builders<BsonDocument>.Sort.Ascending("id")).ToList())
        {
            if (MarkRemoved(older["_id"], operatorName, removeEventId: null, now) is { } removedEntry)
            {
                replaced ??= removedEntry;
            }
        }

        if (database.Allowlist.Find(slot & Active(now) & Filter.Gt("id", id)).Any())
        {
            MarkRemoved(MongoOperationsDatabase.Key(eventId), operatorName, removeEventId: null, now);
        }

        MongoAuditLog.Append(database, new AuditEntry
        {
            At = now,
            Actor = operatorName,
            Action = AuditActions.AllowAdd,
            Kind = entry.Kind,
            Subject = entry.Subject,
            Code = entry.Code,
            Reason = entry.Reason,
            Detail = JsonSerializer.SerializeToElement(new { expiresAt, eventId, replacedId = replaced?.Id }, Api.UtcMillisecondsConverter.WebOptions),
        }, $"allow-add:{MongoOperationsDatabase.Key(eventId)}");

        await outbox.PublishAsync(message, eventId, Publisher(publishEndpoint, entry.Kind, entry.Subject, operatorName), logger, entry.Kind, entry.Subject, cancellationToken);
        var added = Read(database.Allowlist.Find(Filter.Eq("_id", MongoOperationsDatabase.Key(eventId))).First(cancellationToken), now);
        AllowlistLog.EntryAdded(logger, operatorName, entry.Kind, entry.Subject, entry.Code ?? "every rule", BlocksLog.FormatExpiry(expiresAt), eventId, entry.Reason);
        return new AllowlistAddResult(added, replaced);
    }

    /// <summary>
    /// Removes each active entry with an update that matches only while it is active, and publishes its
    /// <see cref="AllowlistEntryRemoved"/>. An entry that another replica removed first is left out of the result.
    /// </summary>
    public async Task<IReadOnlyList<AllowlistEntry>> RemoveAsync(
        string kind,
        string subject,
        string? code,
        string operatorName,
        IPublishEndpoint publishEndpoint,
        CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var filter = Filter.Eq("kind", kind) & Filter.Eq("subject", subject) & Active(now);
        if (code is not null)
        {
            filter &= Filter.Eq("code", code);
        }

        var removed = new List<AllowlistEntry>();
        foreach (var document in database.Allowlist.Find(filter).Sort(Builders<BsonDocument>.Sort.Ascending("id")).ToList(cancellationToken))
        {
            var entry = Read(document, now);
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
            outbox.Add(eventId, message, MongoEventOutbox.AllowlistCollection, "remove_event_id");
            if (MarkRemoved(document["_id"], operatorName, eventId, now) is not { } removedEntry)
            {
                outbox.Delete(eventId);
                continue;
            }

            MongoAuditLog.Append(database, new AuditEntry
            {
                At = now,
                Actor = operatorName,
                Action = AuditActions.AllowRemove,
                Kind = kind,
                Subject = subject,
                Code = entry.Code,
                Detail = JsonSerializer.SerializeToElement(new { entry.Id, entry.EventId }, Api.UtcMillisecondsConverter.WebOptions),
            }, $"allow-remove:{MongoOperationsDatabase.Key(eventId)}");
            await outbox.PublishAsync(message, eventId, Publisher(publishEndpoint, kind, subject, operatorName), logger, kind, subject, cancellationToken);
            removed.Add(removedEntry);
            AllowlistLog.EntryRemoved(logger, operatorName, kind, subject, entry.Code ?? "every rule", entry.Id);
        }

        return removed;
    }

    private static FilterDefinition<BsonDocument> Active(DateTimeOffset now) =>
        Filter.Eq("removed_at", BsonNull.Value) & (Filter.Eq("expires_at", BsonNull.Value) | Filter.Gt("expires_at", now.UtcDateTime));

    /// <summary>Marks the entry removed if it is still active at <paramref name="now"/>. Returns it as it is now, or null when it was not active.</summary>
    private AllowlistEntry? MarkRemoved(BsonValue documentId, string operatorName, Guid? removeEventId, DateTimeOffset now)
    {
        var update = new BsonDocument("$set", new BsonDocument
        {
            ["removed_at"] = now.UtcDateTime,
            ["removed_by"] = operatorName,
            ["remove_event_id"] = removeEventId is { } id ? MongoOperationsDatabase.Key(id) : BsonNull.Value,
        });
        var document = database.Allowlist.FindOneAndUpdate(
            Filter.Eq("_id", documentId) & Active(now),
            update,
            new FindOneAndUpdateOptions<BsonDocument> { ReturnDocument = ReturnDocument.After });
        return document is null ? null : Read(document, now);
    }

    private EventPublisher Publisher(IPublishEndpoint publishEndpoint, string kind, string subject, string operatorName) =>
        (message, eventId, cancellationToken) =>
            EventPublishing.PublishAsync(publishEndpoint, message, eventId, logger, kind, subject, operatorName, cancellationToken);

    private static AllowlistEntry Read(BsonDocument document, DateTimeOffset now)
    {
        var expiresAt = MongoOperationsDatabase.ReadTime(document, "expires_at");
        var removedAt = MongoOperationsDatabase.ReadTime(document, "removed_at");
        var code = document["code"].AsString;
        return new AllowlistEntry
        {
            Id = document["id"].ToInt64(),
            Kind = document["kind"].AsString,
            Subject = document["subject"].AsString,
            Code = code.Length == 0 ? null : code,
            Reason = document["reason"].AsString,
            State = removedAt is not null ? AllowlistStates.Removed
                : expiresAt is { } expiry && expiry <= now ? AllowlistStates.Expired
                : AllowlistStates.Active,
            AddedAt = MongoOperationsDatabase.ReadTime(document, "added_at")!.Value,
            AddedBy = document["added_by"].AsString,
            ExpiresAt = expiresAt,
            RemovedAt = removedAt,
            RemovedBy = MongoOperationsDatabase.ReadString(document, "removed_by"),
            EventId = Guid.ParseExact(document["_id"].AsString, "N"),
        };
    }
}
