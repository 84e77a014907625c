using Microsoft.Extensions.Options;
using MongoDB.Bson;
using MongoDB.Driver;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca1;

/// <summary>
/// <see cref="ICa1Store"/> in MongoDB: <c>ca1_recipients</c> contains one document per account, window and recipient
/// hash, written with upserts and <c>$max</c>, so applying an event twice changes nothing, with a TTL index on the
/// window start; <see cref="MongoBlockLedger"/> keeps <c>ca1_blocks</c> and <c>ca1_lifts</c>. The fields mean what
/// the columns of <see cref="SqliteCa1Store"/> mean.
/// </summary>
public sealed class MongoCa1Store : ICa1Store
{
    private const int MaxSamples = 5;

    private static readonly FilterDefinitionBuilder<BsonDocument> Filter = Builders<BsonDocument>.Filter;

    private readonly IMongoCollection<BsonDocument> _recipients;
    private readonly MongoProcessedEvents _marks;
    private readonly MongoBlockLedger _ledger;

    public MongoCa1Store(IMongoDatabase database, IOptions<Ca1Options> options)
    {
        ArgumentNullException.ThrowIfNull(database);
        var retention = options.Value.RetentionDuration + options.Value.WindowDuration;
        _recipients = database.GetCollection<BsonDocument>("ca1_recipients");
        MongoIndexes.Ensure(_recipients, new BsonDocument { ["account"] = 1, ["window_start"] = 1 }, unique: false);
        MongoIndexes.EnsureTtl(_recipients, "window_start", retention);
        _marks = new MongoProcessedEvents(database, retention);
        _ledger = new MongoBlockLedger(database, "ca1", Ca1Rule.BlockRetention);
    }

    public async Task<Ca1Result> RecordSubmissionAsync(Ca1Submission submission, DateTimeOffset now, Func<Ca1Tally, DetectorBlock?> decide, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        ArgumentNullException.ThrowIfNull(decide);
        if (await _marks.IsMarkedAsync(SqliteCa1Store.SubmissionConsumer, submission.EventId, cancellationToken))
        {
            return await DuplicateAsync(submission.EventId, cancellationToken);
        }

        var writes = submission.RecipientHashes.Distinct(StringComparer.Ordinal).Select(hash => new UpdateOneModel<BsonDocument>(
            Filter.Eq("_id", Id(submission.Account, submission.WindowStart, hash)),
            new BsonDocument
            {
                ["$setOnInsert"] = new BsonDocument { ["account"] = submission.Account, ["window_start"] = submission.WindowStart.UtcDateTime, ["recipient_hash"] = hash },
                ["$max"] = new BsonDocument("last_submitted_at", submission.SubmittedAt.UtcDateTime),
            })
        { IsUpsert = true }).ToList();
        if (writes.Count > 0)
        {
            await _recipients.BulkWriteAsync(writes, new BulkWriteOptions { IsOrdered = false }, cancellationToken);
        }

        var result = await EvaluateAsync(submission.Account, submission.WindowStart, submission.EventId, now, decide, cancellationToken);
        await _marks.TryMarkAsync(SqliteCa1Store.SubmissionConsumer, submission.EventId, now, cancellationToken);
        return result;
    }

    public async Task<Ca1Result> RecordInvalidBounceAsync(Ca1InvalidBounce bounce, DateTimeOffset now, Func<Ca1Tally, DetectorBlock?> decide, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bounce);
        ArgumentNullException.ThrowIfNull(decide);
        if (await _marks.IsMarkedAsync(SqliteCa1Store.BounceConsumer, bounce.EventId, cancellationToken))
        {
            return await DuplicateAsync(bounce.EventId, cancellationToken);
        }

        await _recipients.UpdateOneAsync(
            Filter.Eq("_id", Id(bounce.Account, bounce.WindowStart, bounce.RecipientHash)),
            new BsonDocument
            {
                ["$setOnInsert"] = new BsonDocument { ["account"] = bounce.Account, ["window_start"] = bounce.WindowStart.UtcDateTime, ["recipient_hash"] = bounce.RecipientHash },
                ["$max"] = new BsonDocument("invalid_submitted_at", bounce.SubmittedAt.UtcDateTime),
                ["$set"] = new BsonDocument { ["address"] = bounce.RecipientAddress, ["reply"] = bounce.Reply, ["bounced_at"] = bounce.BouncedAt.UtcDateTime },
            },
            new UpdateOptions { IsUpsert = true },
            cancellationToken);

        var result = await EvaluateAsync(bounce.Account, bounce.WindowStart, bounce.EventId, now, decide, cancellationToken);
        await _marks.TryMarkAsync(SqliteCa1Store.BounceConsumer, bounce.EventId, now, cancellationToken);
        return result;
    }

    public async Task<bool> RecordLiftAsync(Guid eventId, string account, DateTimeOffset liftedAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await _marks.IsMarkedAsync(SqliteCa1Store.LiftConsumer, eventId, cancellationToken))
        {
            return false;
        }

        await _ledger.RecordLiftAsync(BlockSubject.ForAccount(account), RuleCodes.Ca1, liftedAt, cancellationToken);
        return await _marks.TryMarkAsync(SqliteCa1Store.LiftConsumer, eventId, now, cancellationToken);
    }

    public Task MarkPublishedAsync(Guid blockEventId, DateTimeOffset now, CancellationToken cancellationToken) =>
        _ledger.MarkPublishedAsync(blockEventId, now, cancellationToken);

    public Task<Ca1Tally> GetTallyAsync(string account, DateTimeOffset windowStart, CancellationToken cancellationToken) =>
        ReadTallyAsync(account, windowStart, cancellationToken);

    public Task<IReadOnlyList<DetectorBlock>> ListActiveBlocksAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        _ledger.ListActiveAsync(now, cancellationToken);

    public async Task<int> PruneAsync(DateTimeOffset windowsBefore, DateTimeOffset blocksEndedBefore, CancellationToken cancellationToken)
    {
        var deleted = (await _recipients.DeleteManyAsync(Filter.Lt("window_start", windowsBefore.UtcDateTime), cancellationToken)).DeletedCount;
        deleted += await _marks.PruneAsync([SqliteCa1Store.SubmissionConsumer, SqliteCa1Store.BounceConsumer, SqliteCa1Store.LiftConsumer], windowsBefore, cancellationToken);
        deleted += await _ledger.PruneAsync(blocksEndedBefore, windowsBefore, cancellationToken);
        return (int)Math.Min(deleted, int.MaxValue);
    }

    private static string Id(string account, DateTimeOffset windowStart, string hash) => $"{account}|{windowStart.ToUnixTimeMilliseconds()}|{hash}";

    private async Task<Ca1Result> DuplicateAsync(Guid eventId, CancellationToken cancellationToken)
    {
        var unpublished = await _ledger.FindUnpublishedAsync(eventId, cancellationToken);
        return new Ca1Result { Duplicate = true, Block = unpublished.FirstOrDefault() };
    }

    private async Task<Ca1Result> EvaluateAsync(string account, DateTimeOffset windowStart, Guid sourceEventId, DateTimeOffset now, Func<Ca1Tally, DetectorBlock?> decide, CancellationToken cancellationToken)
    {
        var tally = await ReadTallyAsync(account, windowStart, cancellationToken);
        var decision = await _ledger.DecideAsync(BlockSubject.ForAccount(account), RuleCodes.Ca1, sourceEventId, now, () => decide(tally), cancellationToken);
        return new Ca1Result { Tally = tally, AlreadyBlocked = decision.AlreadyBlocked, Block = decision.Block, BlockIsNew = decision.IsNew };
    }

    /// <summary>Counts as <see cref="SqliteCa1Store"/> does: only what was submitted after the last lift, and invalid recipients only once their submission is recorded.</summary>
    private async Task<Ca1Tally> ReadTallyAsync(string account, DateTimeOffset windowStart, CancellationToken cancellationToken)
    {
        var lastLift = await _ledger.FindLastLiftAsync(BlockSubject.ForAccount(account), RuleCodes.Ca1, cancellationToken);
        var cutoff = (lastLift ?? DateTimeOffset.UnixEpoch).UtcDateTime;
        var window = Filter.Eq("account", account) & Filter.Eq("window_start", windowStart.UtcDateTime);
        var distinct = await _recipients.CountDocumentsAsync(window & Filter.Gte("last_submitted_at", cutoff), cancellationToken: cancellationToken);
        var invalidFilter = window & Filter.Gte("invalid_submitted_at", cutoff)
            & new BsonDocument("$expr", new BsonDocument("$gte", new BsonArray { "$last_submitted_at", "$invalid_submitted_at" }));
        var invalid = await _recipients.CountDocumentsAsync(invalidFilter, cancellationToken: cancellationToken);

        var samples = new List<EvidenceSample>();
        if (invalid > 0)
        {
            var documents = await _recipients.Find(invalidFilter)
                .Sort(Builders<BsonDocument>.Sort.Descending("bounced_at").Ascending("recipient_hash"))
                .Limit(MaxSamples)
                .ToListAsync(cancellationToken);
            samples.AddRange(documents.Select(document => new EvidenceSample
            {
                Value = document["address"].AsString,
                Detail = document["reply"].AsString,
                At = new DateTimeOffset(document["bounced_at"].ToUniversalTime(), TimeSpan.Zero),
            }));
        }

        return new Ca1Tally(account, windowStart, (int)distinct, (int)invalid, samples);
    }
}
