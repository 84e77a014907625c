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

        var writes = new List<WriteModel<BsonDocument>>();
        foreach (var hash in submission.RecipientHashes.Distinct(StringComparer.Ordinal))
        {
            var id = Filter.Eq("_id", Id(submission.Account, submission.WindowStart, hash));
            writes.Add(new UpdateOneModel<BsonDocument>(
                id,
                new BsonDocument
                {
                    ["$setOnInsert"] = new BsonDocument { ["account"] = submission.Account, ["window_start"] = submission.WindowStart.UtcDateTime, ["recipient_hash"] = hash },
                    ["$max"] = new BsonDocument("last_submitted_at", submission.SubmittedAt.UtcDateTime),
                })
            { IsUpsert = true });

            // The trace follows the latest submission, as in SqliteCa1Store. After the $max above, last_submitted_at
            // equals this submission's time only when no later one was recorded.
            if (submission.TraceParent is { } traceParent)
            {
                writes.Add(new UpdateOneModel<BsonDocument>(
                    id & Filter.Eq("last_submitted_at", submission.SubmittedAt.UtcDateTime),
                    new BsonDocument("$set", new BsonDocument("trace_parent", traceParent))));
            }
        }

        if (writes.Count > 0)
        {
            // Ordered, because each trace update depends on the upsert before it.
            await _recipients.BulkWriteAsync(writes, new BulkWriteOptions { IsOrdered = true }, cancellationToken);
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
        var block = decision.Block;
        if (decision.IsNew && block is not null)
        {
            block = block with { SubmissionTraceParents = await ReadInvalidTraceParentsAsync(account, windowStart, cancellationToken) };
        }

        return new Ca1Result { Tally = tally, AlreadyBlocked = decision.AlreadyBlocked, Block = block, BlockIsNew = decision.IsNew };
    }

    /// <summary>Returns the trace parents of the window's counted invalid recipients as <see cref="SqliteCa1Store"/> does.</summary>
    private async Task<IReadOnlyList<string>> ReadInvalidTraceParentsAsync(string account, DateTimeOffset windowStart, CancellationToken cancellationToken)
    {
        var cutoff = await LiftCutoffAsync(account, cancellationToken);
        var filter = InvalidFilter(account, windowStart, cutoff) & Filter.Ne("trace_parent", BsonNull.Value);
        var groups = await _recipients.Aggregate()
            .Match(filter)
            .Group(new BsonDocument { ["_id"] = "$trace_parent", ["latest"] = new BsonDocument("$max", "$last_submitted_at") })
            .Sort(new BsonDocument { ["latest"] = -1, ["_id"] = 1 })
            .Limit(DecisionSpans.MaxLinks)
            .ToListAsync(cancellationToken);
        return groups.Select(group => group["_id"].AsString).ToList();
    }

    /// <summary>Matches the window's invalid recipients that count: submitted after the last lift, and with their submission recorded.</summary>
    private static FilterDefinition<BsonDocument> InvalidFilter(string account, DateTimeOffset windowStart, DateTime cutoff) =>
        WindowFilter(account, windowStart) & Filter.Gte("invalid_submitted_at", cutoff)
            & new BsonDocument("$expr", new BsonDocument("$gte", new BsonArray { "$last_submitted_at", "$invalid_submitted_at" }));

    private static FilterDefinition<BsonDocument> WindowFilter(string account, DateTimeOffset windowStart) =>
        Filter.Eq("account", account) & Filter.Eq("window_start", windowStart.UtcDateTime);

    /// <summary>Returns the time of the account's last CA1 lift, or the Unix epoch when there was none.</summary>
    private async Task<DateTime> LiftCutoffAsync(string account, CancellationToken cancellationToken)
    {
        var lastLift = await _ledger.FindLastLiftAsync(BlockSubject.ForAccount(account), RuleCodes.Ca1, cancellationToken);
        return (lastLift ?? DateTimeOffset.UnixEpoch).UtcDateTime;
    }

    /// <summary>Counts as <see cref="SqliteCa1Store"/> does: only what was submitted after the last lift, and invalid recipients only once their submission is recorded.</summary>
    private async Task<Ca1Tally> ReadTallyAsync(string account, DateTimeOffset windowStart, CancellationToken cancellationToken)
    {
        var cutoff = await LiftCutoffAsync(account, cancellationToken);
        var distinct = await _recipients.CountDocumentsAsync(WindowFilter(account, windowStart) & Filter.Gte("last_submitted_at", cutoff), cancellationToken: cancellationToken);
        var invalidFilter = InvalidFilter(account, windowStart, cutoff);
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
