using MongoDB.Bson;
using MongoDB.Driver;
using Relayguard.Operations.Blocks;

namespace Relayguard.Operations.Mongo;

/// <summary>Manual blocks and lifts, whose events go through the <see cref="MongoEventOutbox"/>.</summary>
public sealed partial class MongoBlockStore
{
    /// <summary>
    /// Writes the block event to the outbox, records the block, and publishes. When the bus does not take the event,
    /// the block stays and the outbox relay publishes the event later, so this method raises no
    /// <see cref="EventPublishException"/>.
    /// </summary>
    public async Task<ManualBlockResult> BlockAsync(NewBlock block, string actor, object message, EventPublisher publish, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(publish);
        outbox.Add(block.EventId, message, MongoEventOutbox.BlocksCollection, "_id");
        Record(block, actor);

        // Lifted after the new block is recorded, so a crash in between leaves two active blocks, which a second
        // add replaces, and never none.
        var now = timeProvider.GetUtcNow();
        var replacement = BlockChanges.Replacement(block, actor);
        var active = FindActive(replacement, [block.Code], now, now)
            .Where(other => other.Scope == block.Scope && other.EventId != block.EventId)
            .ToList();
        List<BlockRecord> replaced = active.Count > 0 ? Lift(replacement, active, now) : [];
        if (replaced.Count > 0)
        {
            AppendLift(replacement, replaced, now);
        }

        await outbox.PublishAsync(message, block.EventId, publish, logger, block.Kind, block.Subject, cancellationToken);
        return new ManualBlockResult(FindByEvent(block.EventId, timeProvider.GetUtcNow())!, replaced);
    }

    /// <summary>
    /// Writes the unblock event of the active codes to the outbox, lifts each active block, and publishes. When another
    /// replica lifted some of the blocks first, the event is rewritten with the codes this lift ended. When it lifted
    /// all of them, the event is deleted. When the bus does not take the event, the lift stays and the outbox relay
    /// publishes the event later, so this method raises no <see cref="EventPublishException"/>.
    /// </summary>
    public async Task<IReadOnlyList<BlockRecord>> LiftAsync(
        BlockLift lift,
        string? code,
        DateTimeOffset now,
        Func<IReadOnlyList<string>, object> createEvent,
        EventPublisher publish,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lift);
        ArgumentNullException.ThrowIfNull(createEvent);
        ArgumentNullException.ThrowIfNull(publish);
        var active = FindActive(lift, code is null ? null : [code], now, now);
        if (active.Count == 0)
        {
            return [];
        }

        var codes = active.Select(block => block.Code).Distinct().ToList();
        var message = createEvent(codes);
        outbox.Add(lift.EventId, message, MongoEventOutbox.BlocksCollection, "lift_event_id");

        // This service's own consumer skips the event when it arrives.
        database.TryMark(SqliteBlockStore.LiftEventsConsumer, lift.EventId, now);
        var lifted = Lift(lift, active, now);
        if (lifted.Count == 0)
        {
            outbox.Delete(lift.EventId);
            return [];
        }

        var liftedCodes = lifted.Select(block => block.Code).Distinct().ToList();
        if (!liftedCodes.Order(StringComparer.Ordinal).SequenceEqual(codes.Order(StringComparer.Ordinal)))
        {
            message = createEvent(liftedCodes);
            outbox.Replace(lift.EventId, message);
        }

        AppendLift(lift, lifted, now);
        await outbox.PublishAsync(message, lift.EventId, publish, logger, lift.Kind, lift.Subject, cancellationToken);
        return lifted;
    }

    /// <summary>
    /// Lifts as <see cref="SqliteBlockStore.ApplyLift"/> does. A redelivery after a crash before the event was marked
    /// applied finds the blocks this event lifted by their <c>lift_event_id</c> and finishes the audit and webhook.
    /// </summary>
    public bool ApplyLift(BlockLift lift, IReadOnlyCollection<string> codes, DateTimeOffset unblockedAt)
    {
        ArgumentNullException.ThrowIfNull(lift);
        if (database.IsMarked(SqliteBlockStore.LiftEventsConsumer, lift.EventId))
        {
            return false;
        }

        var now = timeProvider.GetUtcNow();
        var lifted = Lift(lift, FindActive(lift, codes, unblockedAt, now), now);
        AppendLift(lift, lifted, now);
        if (!database.TryMark(SqliteBlockStore.LiftEventsConsumer, lift.EventId, now))
        {
            return false;
        }

        if (lifted.Count > 0)
        {
            var liftedCodes = string.Join(", ", lifted.Select(block => block.Code).Distinct());
            BlocksLog.LiftEventApplied(logger, lift.Operator, liftedCodes, lift.Kind, lift.Subject, lift.EventId, lift.Reason);
        }

        return true;
    }

    /// <summary>Reads the subject's blocks that are active at <paramref name="now"/> and were set at or before <paramref name="blockedUpTo"/>.</summary>
    private List<BlockRecord> FindActive(BlockLift lift, IReadOnlyCollection<string>? codes, DateTimeOffset blockedUpTo, DateTimeOffset now)
    {
        var filter = Filter.Eq("kind", lift.Kind) & Filter.Eq("subject", lift.Subject) & Filter.Lte("blocked_at", blockedUpTo.UtcDateTime) & Active(now);
        if (codes is not null)
        {
            filter &= Filter.In("code", codes);
        }

        return database.Blocks.Find(filter).Sort(NewestFirst).ToList().Select(document => Read(document, now, includeEvidence: false)).ToList();
    }

    /// <summary>
    /// Lifts each block with an update that matches only while it is active, and returns every block that carries this
    /// lift's event id, newest first: those lifted now and those lifted by an earlier attempt of the same event.
    /// </summary>
    private List<BlockRecord> Lift(BlockLift lift, IReadOnlyList<BlockRecord> active, DateTimeOffset now)
    {
        var update = new BsonDocument("$set", new BsonDocument
        {
            ["lifted_at"] = now.UtcDateTime,
            ["lifted_by"] = lift.Operator,
            ["lift_reason"] = lift.Reason,
            ["lift_event_id"] = MongoOperationsDatabase.Key(lift.EventId),
        });
        foreach (var block in active)
        {
            database.Blocks.UpdateOne(Filter.Eq("_id", MongoOperationsDatabase.Key(block.EventId)) & Active(now), update);
        }

        return database.Blocks.Find(Filter.Eq("lift_event_id", MongoOperationsDatabase.Key(lift.EventId))).Sort(NewestFirst).ToList()
            .Select(document => Read(document, now, includeEvidence: false))
            .ToList();
    }

    private void AppendLift(BlockLift lift, IReadOnlyList<BlockRecord> lifted, DateTimeOffset now)
    {
        if (lifted.Count == 0)
        {
            return;
        }

        // An earlier attempt of the same event may have lifted the blocks, so its time is the lift's time.
        var liftedAt = lifted[0].LiftedAt ?? now;
        foreach (var code in lifted.Select(block => block.Code).Distinct())
        {
            MongoAuditLog.Append(database, BlockChanges.LiftAudit(lift, code, lifted, liftedAt), $"lift:{MongoOperationsDatabase.Key(lift.EventId)}:{code}");
        }

        MongoWebhookQueue.Enqueue(database, BlockChanges.LiftEventType(lift.Kind), lift.EventId, liftedAt, BlockChanges.LiftWebhook(lift, lifted, liftedAt), now);
    }
}
