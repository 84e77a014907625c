using Microsoft.Extensions.Options;
using MongoDB.Bson;
using MongoDB.Driver;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Bo1;

/// <summary>
/// <see cref="IBo1Store"/> in MongoDB: <c>bo1_refusals</c> contains one document per refusal and subject, keyed by the
/// event id and the subject so that a redelivery inserts nothing, with a TTL index of the retention;
/// <see cref="MongoBlockLedger"/> keeps <c>bo1_blocks</c> and <c>bo1_lifts</c>.
/// </summary>
public sealed class MongoBo1Store : IBo1Store
{
    private static readonly FilterDefinitionBuilder<BsonDocument> Filter = Builders<BsonDocument>.Filter;

    private readonly IMongoCollection<BsonDocument> _refusals;
    private readonly MongoProcessedEvents _marks;
    private readonly MongoBlockLedger _ledger;

    public MongoBo1Store(IMongoDatabase database, IOptions<Bo1Options> options)
    {
        ArgumentNullException.ThrowIfNull(database);
        var retention = options.Value.RetentionDuration + options.Value.WindowDuration;
        _refusals = database.GetCollection<BsonDocument>("bo1_refusals");
        MongoIndexes.Ensure(_refusals, new BsonDocument { ["kind"] = 1, ["subject"] = 1, ["submitted_at"] = 1 }, unique: false);
        MongoIndexes.EnsureTtl(_refusals, "submitted_at", retention);
        _marks = new MongoProcessedEvents(database, retention);
        _ledger = new MongoBlockLedger(database, "bo1", Bo1Rule.BlockRetention);
    }

    public async Task<Bo1RefusalResult> RecordRefusalAsync(
        Bo1Refusal refusal,
        IReadOnlyList<BlockSubject> subjects,
        DateTimeOffset now,
        TimeSpan window,
        int threshold,
        Func<BlockSubject, IReadOnlyList<Bo1Refusal>, DetectorBlock?> decide,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        ArgumentNullException.ThrowIfNull(subjects);
        ArgumentNullException.ThrowIfNull(decide);
        if (await _marks.IsMarkedAsync(SqliteBo1Store.SubmissionConsumer, refusal.EventId, cancellationToken))
        {
            return new Bo1RefusalResult { Duplicate = true, Blocks = await _ledger.FindUnpublishedAsync(refusal.EventId, cancellationToken) };
        }

        var results = new List<Bo1SubjectResult>();
        var blocks = new List<DetectorBlock>();
        foreach (var subject in subjects)
        {
            await _refusals.UpdateOneAsync(
                Filter.Eq("_id", $"{refusal.EventId:N}|{subject.Kind}|{subject.Value}"),
                new BsonDocument("$setOnInsert", new BsonDocument
                {
                    ["kind"] = subject.Kind,
                    ["subject"] = subject.Value,
                    ["submitted_at"] = refusal.SubmittedAt.UtcDateTime,
                    ["event_id"] = refusal.EventId.ToString("N"),
                    ["gateway_message_id"] = refusal.GatewayMessageId,
                    ["trace_parent"] = refusal.TraceParent is { } traceParent ? traceParent : BsonNull.Value,
                }),
                new UpdateOptions { IsUpsert = true },
                cancellationToken);

            var nearby = await ReadNearbyAsync(subject, refusal.SubmittedAt, window, cancellationToken);
            var decision = await _ledger.DecideAsync(subject, RuleCodes.Bo1, refusal.EventId, now, () => nearby.Count >= threshold ? decide(subject, nearby) : null, cancellationToken);
            if (decision.Block is { } block)
            {
                blocks.Add(block);
            }

            results.Add(new Bo1SubjectResult(subject, nearby.Count, decision.AlreadyBlocked, decision.IsNew ? decision.Block : null));
        }

        await _marks.TryMarkAsync(SqliteBo1Store.SubmissionConsumer, refusal.EventId, now, cancellationToken);
        return new Bo1RefusalResult { Subjects = results, Blocks = blocks };
    }

    public async Task<bool> RecordLiftAsync(Guid eventId, BlockSubject subject, DateTimeOffset liftedAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var consumer = subject.Kind == BlockSubject.AccountKind ? SqliteBo1Store.AccountLiftConsumer : SqliteBo1Store.IpLiftConsumer;
        if (await _marks.IsMarkedAsync(consumer, eventId, cancellationToken))
        {
            return false;
        }

        await _ledger.RecordLiftAsync(subject, RuleCodes.Bo1, liftedAt, cancellationToken);
        return await _marks.TryMarkAsync(consumer, eventId, now, cancellationToken);
    }

    public Task MarkPublishedAsync(Guid blockEventId, DateTimeOffset now, CancellationToken cancellationToken) =>
        _ledger.MarkPublishedAsync(blockEventId, now, cancellationToken);

    public Task<IReadOnlyList<DetectorBlock>> ListActiveBlocksAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        _ledger.ListActiveAsync(now, cancellationToken);

    public async Task<int> PruneAsync(DateTimeOffset refusalsBefore, DateTimeOffset blocksEndedBefore, CancellationToken cancellationToken)
    {
        var deleted = (await _refusals.DeleteManyAsync(Filter.Lt("submitted_at", refusalsBefore.UtcDateTime), cancellationToken)).DeletedCount;
        deleted += await _marks.PruneAsync([SqliteBo1Store.SubmissionConsumer, SqliteBo1Store.AccountLiftConsumer, SqliteBo1Store.IpLiftConsumer], refusalsBefore, cancellationToken);
        deleted += await _ledger.PruneAsync(blocksEndedBefore, refusalsBefore, cancellationToken);
        return (int)Math.Min(deleted, int.MaxValue);
    }

    private async Task<List<Bo1Refusal>> ReadNearbyAsync(BlockSubject subject, DateTimeOffset submittedAt, TimeSpan window, CancellationToken cancellationToken)
    {
        var from = submittedAt - window;
        if (await _ledger.FindLastLiftAsync(subject, RuleCodes.Bo1, cancellationToken) is { } lifted && lifted > from)
        {
            from = lifted;
        }

        var filter = Filter.Eq("kind", subject.Kind) & Filter.Eq("subject", subject.Value)
            & Filter.Gte("submitted_at", from.UtcDateTime) & Filter.Lte("submitted_at", (submittedAt + window).UtcDateTime);
        var documents = await _refusals.Find(filter).Sort(Builders<BsonDocument>.Sort.Ascending("submitted_at").Ascending("event_id")).ToListAsync(cancellationToken);
        return documents.Select(document => new Bo1Refusal(
            Guid.ParseExact(document["event_id"].AsString, "N"),
            document["gateway_message_id"].AsString,
            new DateTimeOffset(document["submitted_at"].ToUniversalTime(), TimeSpan.Zero),
            document.GetValue("trace_parent", BsonNull.Value) is { IsString: true } traceParent ? traceParent.AsString : null)).ToList();
    }
}
