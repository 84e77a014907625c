using MongoDB.Bson;
using MongoDB.Driver;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Rl1;

/// <summary>
/// <see cref="IRl1Store"/> in MongoDB: <c>rl1_messages</c> contains one document per relayed message, keyed by its event
/// id so that a redelivery inserts nothing, with a TTL index of <see cref="Rl1Rule.MessageRetention"/>. Subjects are
/// compared in lower case, as the SQLite store compares them without case. <see cref="MongoBlockLedger"/> keeps
/// <c>rl1_blocks</c> and <c>rl1_lifts</c>.
/// </summary>
public sealed class MongoRl1Store : IRl1Store
{
    private static readonly FilterDefinitionBuilder<BsonDocument> Filter = Builders<BsonDocument>.Filter;

    private readonly IMongoCollection<BsonDocument> _messages;
    private readonly MongoProcessedEvents _marks;
    private readonly MongoBlockLedger _ledger;

    public MongoRl1Store(IMongoDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _messages = database.GetCollection<BsonDocument>("rl1_messages");
        MongoIndexes.Ensure(_messages, new BsonDocument { ["kind"] = 1, ["subject_key"] = 1, ["submitted_at"] = 1 }, unique: false);
        MongoIndexes.EnsureTtl(_messages, "submitted_at", Rl1Rule.MessageRetention);
        _marks = new MongoProcessedEvents(database, Rl1Rule.MessageRetention);
        _ledger = new MongoBlockLedger(database, "rl1", Rl1Rule.BlockRetention);
    }

    public async Task<Rl1Result> RecordAsync(Rl1Submission submission, DateTimeOffset since, DateTimeOffset now, Rl1Limits limits, Func<IReadOnlyList<Rl1Submission>, DetectorBlock?> decide, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(decide);
        if (await _marks.IsMarkedAsync(SqliteRl1Store.SubmissionConsumer, submission.EventId, cancellationToken))
        {
            var unpublished = await _ledger.FindUnpublishedAsync(submission.EventId, cancellationToken);
            return new Rl1Result { Duplicate = true, Block = unpublished.FirstOrDefault() };
        }

        var subject = submission.Subject;
        await _messages.UpdateOneAsync(
            Filter.Eq("_id", submission.EventId.ToString("N")),
            new BsonDocument("$setOnInsert", new BsonDocument
            {
                ["kind"] = subject.Kind,
                ["subject_key"] = subject.Value.ToLowerInvariant(),
                ["submitted_at"] = submission.SubmittedAt.UtcDateTime,
                ["gateway_message_id"] = submission.GatewayMessageId,
                ["recipients"] = submission.Recipients,
                ["trace_parent"] = submission.TraceParent is { } traceParent ? traceParent : BsonNull.Value,
            }),
            new UpdateOptions { IsUpsert = true },
            cancellationToken);

        var lastLift = await _ledger.FindLastLiftAsync(subject, RuleCodes.Rl1, cancellationToken);
        var from = lastLift is { } lifted && lifted > since ? lifted : since;
        var recent = await ReadSinceAsync(subject, from, cancellationToken);
        var decision = await _ledger.DecideAsync(subject, RuleCodes.Rl1, submission.EventId, now, () => limits.AreReachedBy(recent.Count, recent.Sum(s => (long)s.Recipients)) ? decide(recent) : null, cancellationToken);
        await _marks.TryMarkAsync(SqliteRl1Store.SubmissionConsumer, submission.EventId, now, cancellationToken);
        return new Rl1Result
        {
            Messages = recent.Count,
            Recipients = recent.Sum(message => message.Recipients),
            AlreadyBlocked = decision.AlreadyBlocked,
            Block = decision.Block,
            BlockIsNew = decision.IsNew,
        };
    }

    public async Task<bool> RecordLiftAsync(Guid eventId, BlockSubject subject, DateTimeOffset liftedAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var consumer = subject.Kind == BlockSubject.AccountKind ? SqliteRl1Store.AccountLiftConsumer : SqliteRl1Store.IpLiftConsumer;
        if (await _marks.IsMarkedAsync(consumer, eventId, cancellationToken))
        {
            return false;
        }

        await _ledger.RecordLiftAsync(subject, RuleCodes.Rl1, liftedAt, cancellationToken);
        return await _marks.TryMarkAsync(consumer, eventId, now, cancellationToken);
    }

    public Task MarkPublishedAsync(Guid blockEventId, DateTimeOffset now, CancellationToken cancellationToken) =>
        _ledger.MarkPublishedAsync(blockEventId, now, cancellationToken);

    public async Task<int> PruneAsync(DateTimeOffset before, DateTimeOffset blocksEndedBefore, CancellationToken cancellationToken)
    {
        var deleted = (await _messages.DeleteManyAsync(Filter.Lt("submitted_at", before.UtcDateTime), cancellationToken)).DeletedCount;
        deleted += await _marks.PruneAsync([SqliteRl1Store.SubmissionConsumer, SqliteRl1Store.AccountLiftConsumer, SqliteRl1Store.IpLiftConsumer], before, cancellationToken);
        deleted += await _ledger.PruneAsync(blocksEndedBefore, before, cancellationToken);
        return (int)Math.Min(deleted, int.MaxValue);
    }

    private async Task<List<Rl1Submission>> ReadSinceAsync(BlockSubject subject, DateTimeOffset from, CancellationToken cancellationToken)
    {
        var filter = Filter.Eq("kind", subject.Kind) & Filter.Eq("subject_key", subject.Value.ToLowerInvariant()) & Filter.Gt("submitted_at", from.UtcDateTime);
        var documents = await _messages.Find(filter).Sort(Builders<BsonDocument>.Sort.Ascending("submitted_at").Ascending("_id")).ToListAsync(cancellationToken);
        return documents.Select(document => new Rl1Submission(
            Guid.ParseExact(document["_id"].AsString, "N"),
            subject,
            document["gateway_message_id"].AsString,
            document["recipients"].AsInt32,
            new DateTimeOffset(document["submitted_at"].ToUniversalTime(), TimeSpan.Zero),
            document.GetValue("trace_parent", BsonNull.Value) is { IsString: true } traceParent ? traceParent.AsString : null)).ToList();
    }
}
