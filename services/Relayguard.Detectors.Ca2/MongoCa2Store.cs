using Microsoft.Extensions.Options;
using MongoDB.Bson;
using MongoDB.Driver;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca2;

/// <summary>
/// <see cref="ICa2Store"/> in MongoDB: <c>ca2_rejects</c> contains one document per rejected message, keyed by its event
/// id so that a redelivery inserts nothing, with a TTL index of the retention; <see cref="MongoBlockLedger"/> keeps
/// <c>ca2_blocks</c> and <c>ca2_lifts</c>. The indexes are created when the store is.
/// </summary>
public sealed class MongoCa2Store : ICa2Store
{
    private static readonly FilterDefinitionBuilder<BsonDocument> Filter = Builders<BsonDocument>.Filter;

    private readonly IMongoCollection<BsonDocument> _rejects;
    private readonly MongoProcessedEvents _marks;
    private readonly MongoBlockLedger _ledger;

    public MongoCa2Store(IMongoDatabase database, IOptions<Ca2Options> options)
    {
        ArgumentNullException.ThrowIfNull(database);
        var retention = options.Value.RetentionDuration + options.Value.WindowDuration;
        _rejects = database.GetCollection<BsonDocument>("ca2_rejects");
        MongoIndexes.Ensure(_rejects, new BsonDocument { ["kind"] = 1, ["subject"] = 1, ["on_ip"] = 1, ["submitted_at"] = 1 }, unique: false);
        MongoIndexes.EnsureTtl(_rejects, "submitted_at", retention);
        _marks = new MongoProcessedEvents(database, retention);
        _ledger = new MongoBlockLedger(database, "ca2", Ca2Rule.BlockRetention);
    }

    public async Task<Ca2RejectResult> RecordRejectAsync(
        Ca2Reject reject,
        DateTimeOffset now,
        TimeSpan window,
        int threshold,
        Func<IReadOnlyList<Ca2Reject>, DetectorBlock?> decide,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reject);
        ArgumentNullException.ThrowIfNull(decide);
        if (await _marks.IsMarkedAsync(SqliteCa2Store.SubmissionConsumer, reject.EventId, cancellationToken))
        {
            var unpublished = await _ledger.FindUnpublishedAsync(reject.EventId, cancellationToken);
            return new Ca2RejectResult { Duplicate = true, Block = unpublished.FirstOrDefault() };
        }

        var subject = reject.Subject;
        await _rejects.UpdateOneAsync(
            Filter.Eq("_id", reject.EventId.ToString("N")),
            new BsonDocument("$setOnInsert", new BsonDocument
            {
                ["kind"] = subject.Kind,
                ["subject"] = subject.Value,
                ["on_ip"] = subject.OnIp ?? string.Empty,
                ["submitted_at"] = reject.SubmittedAt.UtcDateTime,
                ["gateway_message_id"] = reject.GatewayMessageId,
                ["spam_score"] = reject.SpamScore is { } score ? score : BsonNull.Value,
                ["spam_symbols"] = reject.SpamSymbols is { Count: > 0 } symbols ? new BsonArray(symbols) : BsonNull.Value,
                ["trace_parent"] = reject.TraceParent is { } traceParent ? traceParent : BsonNull.Value,
            }),
            new UpdateOptions { IsUpsert = true },
            cancellationToken);

        var nearby = await ReadNearbyAsync(reject, window, cancellationToken);
        var decision = await _ledger.DecideAsync(subject, RuleCodes.Ca2, reject.EventId, now, () => nearby.Count >= threshold ? decide(nearby) : null, cancellationToken);
        await _marks.TryMarkAsync(SqliteCa2Store.SubmissionConsumer, reject.EventId, now, cancellationToken);
        return new Ca2RejectResult { Nearby = nearby.Count, AlreadyBlocked = decision.AlreadyBlocked, Block = decision.Block, BlockIsNew = decision.IsNew };
    }

    public async Task<bool> RecordLiftAsync(Guid eventId, BlockSubject subject, DateTimeOffset liftedAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var consumer = subject.Kind == BlockSubject.AccountKind ? SqliteCa2Store.AccountLiftConsumer : SqliteCa2Store.IpLiftConsumer;
        if (await _marks.IsMarkedAsync(consumer, eventId, cancellationToken))
        {
            return false;
        }

        await _ledger.RecordLiftAsync(subject, RuleCodes.Ca2, liftedAt, cancellationToken);
        return await _marks.TryMarkAsync(consumer, eventId, now, cancellationToken);
    }

    public Task MarkPublishedAsync(Guid blockEventId, DateTimeOffset now, CancellationToken cancellationToken) =>
        _ledger.MarkPublishedAsync(blockEventId, now, cancellationToken);

    public Task<IReadOnlyList<DetectorBlock>> ListActiveBlocksAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        _ledger.ListActiveAsync(now, cancellationToken);

    public async Task<int> PruneAsync(DateTimeOffset rejectsBefore, DateTimeOffset blocksEndedBefore, CancellationToken cancellationToken)
    {
        var deleted = (await _rejects.DeleteManyAsync(Filter.Lt("submitted_at", rejectsBefore.UtcDateTime), cancellationToken)).DeletedCount;
        deleted += await _marks.PruneAsync([SqliteCa2Store.SubmissionConsumer, SqliteCa2Store.AccountLiftConsumer, SqliteCa2Store.IpLiftConsumer], rejectsBefore, cancellationToken);
        deleted += await _ledger.PruneAsync(blocksEndedBefore, rejectsBefore, cancellationToken);
        return (int)Math.Min(deleted, int.MaxValue);
    }

    private async Task<List<Ca2Reject>> ReadNearbyAsync(Ca2Reject reject, TimeSpan window, CancellationToken cancellationToken)
    {
        var subject = reject.Subject;
        var from = reject.SubmittedAt - window;
        if (await _ledger.FindLastLiftAsync(subject, RuleCodes.Ca2, cancellationToken) is { } lifted && lifted > from)
        {
            from = lifted;
        }

        var filter = Filter.Eq("kind", subject.Kind) & Filter.Eq("subject", subject.Value) & Filter.Eq("on_ip", subject.OnIp ?? string.Empty)
            & Filter.Gte("submitted_at", from.UtcDateTime) & Filter.Lte("submitted_at", (reject.SubmittedAt + window).UtcDateTime);
        var documents = await _rejects.Find(filter).Sort(Builders<BsonDocument>.Sort.Ascending("submitted_at").Ascending("_id")).ToListAsync(cancellationToken);
        return documents.Select(document => new Ca2Reject(
            Guid.ParseExact(document["_id"].AsString, "N"),
            subject,
            document["gateway_message_id"].AsString,
            document["spam_score"].IsBsonNull ? null : document["spam_score"].ToDouble(),
            new DateTimeOffset(document["submitted_at"].ToUniversalTime(), TimeSpan.Zero),
            document.GetValue("spam_symbols", BsonNull.Value) is { IsBsonArray: true } symbols ? symbols.AsBsonArray.Select(symbol => symbol.AsString).ToList() : null,
            TraceParent: document.GetValue("trace_parent", BsonNull.Value) is { IsString: true } traceParent ? traceParent.AsString : null)).ToList();
    }
}
