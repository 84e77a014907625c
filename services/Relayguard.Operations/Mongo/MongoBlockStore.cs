using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MongoDB.Bson;
using MongoDB.Driver;
using Relayguard.Contracts;
using Relayguard.Operations.Blocks;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Mongo;

/// <summary>
/// <see cref="IBlockStore"/> in <c>operations_blocks</c>: one document per block keyed by the event id of its block
/// event, so a redelivered event inserts nothing, with a numeric <c>id</c> from an atomic counter for the API and
/// the page cursors. A lift sets <c>lifted_at</c> with an update that matches only an unlifted block, and stores the
/// lift's event id on the block, so the lift of an event can be found and finished after a crash. Audit entries and
/// webhook events are keyed by the event, so finishing a change again adds none twice.
/// </summary>
public sealed partial class MongoBlockStore(
    MongoOperationsDatabase database,
    MongoEventOutbox outbox,
    TimeProvider timeProvider,
    IOptionsMonitor<OperationsOptions> options,
    ILogger<MongoBlockStore> logger) : IBlockStore
{
    private const int MaxSubjectHistory = 100;

    private static readonly FilterDefinitionBuilder<BsonDocument> Filter = Builders<BsonDocument>.Filter;
    private static readonly SortDefinition<BsonDocument> NewestFirst = Builders<BsonDocument>.Sort.Descending("blocked_at").Descending("id");

    /// <summary>
    /// Inserts the block, then appends its audit entry and queues its webhook. A redelivery after a crash between the
    /// steps finishes them, and still returns false.
    /// </summary>
    public bool Record(NewBlock block, string actor)
    {
        ArgumentNullException.ThrowIfNull(block);
        var now = timeProvider.GetUtcNow();
        var inserted = Insert(block, actor);
        MongoAuditLog.Append(database, BlockChanges.BlockAudit(block, actor, now), $"block:{MongoOperationsDatabase.Key(block.EventId)}");
        MongoWebhookQueue.Enqueue(database, BlockChanges.BlockEventType(block.Kind), block.EventId, block.BlockedAt, BlockChanges.BlockWebhook(block, actor), now);
        if (!inserted)
        {
            BlocksLog.BlockEventDuplicate(logger, block.EventId);
            return false;
        }

        BlocksLog.BlockRecorded(logger, block.Code, block.Kind, block.Subject, block.Scope, BlocksLog.FormatExpiry(block.ExpiresAt), actor, block.EventId);
        return true;
    }

    public Page<BlockRecord> List(BlockQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var now = timeProvider.GetUtcNow();
        var filter = query.State switch
        {
            BlockStates.Active => Active(now),
            BlockStates.Expired => Filter.Eq("lifted_at", BsonNull.Value) & Filter.Lte("expires_at", now.UtcDateTime),
            BlockStates.Lifted => Filter.Ne("lifted_at", BsonNull.Value),
            BlockStates.All => Filter.Empty,
            _ => throw new ArgumentException($"Unknown state filter '{query.State}'.", nameof(query)),
        };
        if (query.Kind is not null)
        {
            filter &= Filter.Eq("kind", query.Kind);
        }

        if (query.Code is not null)
        {
            filter &= Filter.Eq("code", query.Code);
        }

        if (query.Subject is not null)
        {
            filter &= SubjectFilter(query.Subject, query.SubjectPrefix);
        }

        if (query.After is not null)
        {
            if (IBlockStore.TryDecodeCursor(query.After, query, out var afterTime, out var afterId) != PageCursorCheck.Valid)
            {
                throw new ArgumentException($"Invalid cursor '{query.After}' for these filters.", nameof(query));
            }

            var afterAt = DateTimeOffset.FromUnixTimeMilliseconds(afterTime).UtcDateTime;
            filter &= Filter.Lt("blocked_at", afterAt) | (Filter.Eq("blocked_at", afterAt) & Filter.Lt("id", afterId));
        }

        var items = database.Blocks.Find(filter).Sort(NewestFirst).Limit(query.Limit + 1).ToList()
            .Select(document => Read(document, now, includeEvidence: false))
            .ToList();
        if (items.Count <= query.Limit)
        {
            return new Page<BlockRecord>(items, null);
        }

        items.RemoveAt(query.Limit);
        return new Page<BlockRecord>(items, IBlockStore.EncodeCursor(items[^1], query));
    }

    public IReadOnlyList<BlockRecord> ForSubject(string kind, string subject)
    {
        var now = timeProvider.GetUtcNow();
        var filter = Filter.Eq("kind", kind) & SubjectFilter(subject, BlockSubjects.PerAddressPrefix(kind, subject));
        return database.Blocks.Find(filter).Sort(NewestFirst).Limit(MaxSubjectHistory).ToList()
            .Select(document => Read(document, now, includeEvidence: true))
            .ToList();
    }

    public IReadOnlyList<Guid> FindEnded(IReadOnlyList<Guid> eventIds)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        if (eventIds.Count == 0)
        {
            return [];
        }

        var now = timeProvider.GetUtcNow();
        var ids = eventIds.Select(MongoOperationsDatabase.Key).ToList();
        var ended = database.Blocks.Find(Filter.In("_id", ids) & !Active(now)).ToList()
            .Select(document => Guid.ParseExact(document["_id"].AsString, "N"))
            .ToHashSet();

        // The order of the request, as on SQLite.
        return eventIds.Where(ended.Contains).ToList();
    }

    public IReadOnlyList<(string Code, long Count)> CountActive()
    {
        return database.Blocks.Aggregate()
            .Match(Active(timeProvider.GetUtcNow()))
            .Group(new BsonDocument { ["_id"] = "$code", ["count"] = new BsonDocument("$sum", 1) })
            .ToList()
            .Select(document => (document["_id"].AsString, document["count"].ToInt64()))
            .ToList();
    }

    /// <summary>
    /// Rewrites the evidence of each due block with an update that matches only while its samples are still there, so
    /// replicas that prune at once write the same result once.
    /// </summary>
    public int PruneEvidence()
    {
        var retention = Durations.Parse(options.CurrentValue.EvidenceRetention);
        var now = timeProvider.GetUtcNow();
        var cutoff = (now - retention).UtcDateTime;
        var due = Filter.Eq("evidence_pruned_at", BsonNull.Value)
            & (Filter.Lt("lifted_at", cutoff) | (Filter.Eq("lifted_at", BsonNull.Value) & Filter.Lt("expires_at", cutoff)));

        var pruned = 0;
        foreach (var document in database.Blocks.Find(due).ToList())
        {
            var evidence = JsonSerializer.Deserialize<BlockEvidence>(document["evidence"].AsString, JsonSerializerOptions.Web)!;
            var update = new BsonDocument("$set", new BsonDocument
            {
                ["evidence"] = JsonSerializer.Serialize(evidence with { Samples = [] }, JsonSerializerOptions.Web),
                ["evidence_pruned_at"] = now.UtcDateTime,
            });
            pruned += (int)database.Blocks.UpdateOne(Filter.Eq("_id", document["_id"]) & Filter.Eq("evidence_pruned_at", BsonNull.Value), update).ModifiedCount;
        }

        if (pruned > 0)
        {
            BlocksLog.EvidencePruned(logger, pruned, Durations.Format(retention));
        }

        return pruned;
    }

    /// <summary>Matches the subject exactly, or with <paramref name="prefix"/> (<c>erin/</c>) also the account's per-address subjects.</summary>
    private static FilterDefinition<BsonDocument> SubjectFilter(string subject, string? prefix) =>
        prefix is null
            ? Filter.Eq("subject", subject)
            : Filter.Eq("subject", subject) | Filter.Regex("subject", new BsonRegularExpression("^" + System.Text.RegularExpressions.Regex.Escape(prefix)));

    private static FilterDefinition<BsonDocument> Active(DateTimeOffset now) =>
        Filter.Eq("lifted_at", BsonNull.Value) & (Filter.Eq("expires_at", BsonNull.Value) | Filter.Gt("expires_at", now.UtcDateTime));

    /// <summary>Inserts the block unless its event was recorded before. Returns whether it inserted.</summary>
    private bool Insert(NewBlock block, string actor)
    {
        var key = MongoOperationsDatabase.Key(block.EventId);
        if (database.Blocks.Find(Filter.Eq("_id", key)).Any())
        {
            return false;
        }

        return MongoOperationsDatabase.TryInsert(database.Blocks, new BsonDocument
        {
            ["_id"] = key,
            ["id"] = database.NextId("blocks"),
            ["kind"] = block.Kind,
            ["subject"] = block.Subject,
            ["code"] = block.Code,
            ["scope"] = block.Scope,
            ["reason"] = block.Reason,
            ["evidence"] = JsonSerializer.Serialize(block.Evidence, JsonSerializerOptions.Web),
            ["blocked_at"] = block.BlockedAt.UtcDateTime,
            ["expires_at"] = MongoOperationsDatabase.Time(block.ExpiresAt),
            ["set_by"] = actor,
            ["lifted_at"] = BsonNull.Value,
            ["lifted_by"] = BsonNull.Value,
            ["lift_reason"] = BsonNull.Value,
            ["lift_event_id"] = BsonNull.Value,
            ["evidence_pruned_at"] = BsonNull.Value,
        });
    }

    private BlockRecord? FindByEvent(Guid eventId, DateTimeOffset now) =>
        database.Blocks.Find(Filter.Eq("_id", MongoOperationsDatabase.Key(eventId))).FirstOrDefault() is { } document
            ? Read(document, now, includeEvidence: true)
            : null;

    private static BlockRecord Read(BsonDocument document, DateTimeOffset now, bool includeEvidence)
    {
        var evidence = JsonSerializer.Deserialize<BlockEvidence>(document["evidence"].AsString, JsonSerializerOptions.Web)!;
        var expiresAt = MongoOperationsDatabase.ReadTime(document, "expires_at");
        var liftedAt = MongoOperationsDatabase.ReadTime(document, "lifted_at");
        var state = liftedAt is not null ? BlockStates.Lifted
            : expiresAt is { } expiry && expiry <= now ? BlockStates.Expired
            : BlockStates.Active;

        return new BlockRecord
        {
            Id = document["id"].ToInt64(),
            Kind = document["kind"].AsString,
            Subject = document["subject"].AsString,
            Code = document["code"].AsString,
            Scope = document["scope"].AsString,
            Reason = document["reason"].AsString,
            State = state,
            BlockedAt = MongoOperationsDatabase.ReadTime(document, "blocked_at")!.Value,
            ExpiresAt = expiresAt,
            SetBy = document["set_by"].AsString,
            LiftedAt = liftedAt,
            LiftedBy = MongoOperationsDatabase.ReadString(document, "lifted_by"),
            LiftReason = MongoOperationsDatabase.ReadString(document, "lift_reason"),
            EvidenceSummary = evidence.Summary,
            Evidence = includeEvidence ? evidence : null,
            EvidenceSamplesDeletedAt = MongoOperationsDatabase.ReadTime(document, "evidence_pruned_at"),
            EventId = Guid.ParseExact(document["_id"].AsString, "N"),
        };
    }
}
