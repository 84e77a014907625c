using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Driver;
using Relayguard.Contracts;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// The MongoDB counterpart of <see cref="SqliteBlockLedger"/>: the blocks one detector issued in <c>PREFIX_blocks</c>
/// and the lifts it saw in <c>PREFIX_lifts</c>. A unique index over the subject and code of the blocks whose state is
/// <c>active</c> lets only one replica store a block, however many decide at once: the others get a duplicate key
/// and treat the subject as already blocked.
/// </summary>
/// <remarks>
/// NOTE: the MongoDB stores have not yet run against a server, because the build machine has none and its CI runs
/// the store contract suite on SQLite alone. Set <c>RELAYGUARD_TEST_MONGODB</c> to run the suite on MongoDB.
/// </remarks>
public sealed class MongoBlockLedger
{
    public const string Active = "active";
    public const string Lifted = "lifted";
    public const string Expired = "expired";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private static readonly FilterDefinitionBuilder<BsonDocument> Filter = Builders<BsonDocument>.Filter;

    private readonly IMongoCollection<BsonDocument> _blocks;
    private readonly IMongoCollection<BsonDocument> _lifts;

    /// <param name="blockRetention">How long an ended block stays, as a TTL index on its end time.</param>
    public MongoBlockLedger(IMongoDatabase database, string prefix, TimeSpan blockRetention)
    {
        ArgumentNullException.ThrowIfNull(database);
        _blocks = database.GetCollection<BsonDocument>(prefix + "_blocks");
        _lifts = database.GetCollection<BsonDocument>(prefix + "_lifts");
        MongoIndexes.Ensure(
            _blocks,
            new BsonDocument { ["kind"] = 1, ["subject"] = 1, ["on_ip"] = 1, ["code"] = 1 },
            unique: true,
            partialFilter: Filter.Eq("state", Active));
        MongoIndexes.Ensure(_blocks, new BsonDocument("source_event_id", 1), unique: false);
        MongoIndexes.EnsureTtl(_blocks, "ended_at", blockRetention);
        MongoIndexes.Ensure(_lifts, new BsonDocument { ["kind"] = 1, ["subject"] = 1, ["code"] = 1 }, unique: false);
    }

    /// <summary>Finds the active block with this code on exactly this subject, after ending those whose expiry has passed.</summary>
    public async Task<SqliteBlockLedger.Entry?> FindActiveAsync(BlockSubject subject, string code, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var slot = Slot(subject, code) & Filter.Eq("state", Active);
        await _blocks.UpdateManyAsync(
            slot & Filter.Ne("expires_at", BsonNull.Value) & Filter.Lte("expires_at", now.UtcDateTime),
            new BsonDocument("$set", new BsonDocument { ["state"] = Expired, ["ended_at"] = now.UtcDateTime }),
            cancellationToken: cancellationToken);
        var document = await _blocks.Find(slot).FirstOrDefaultAsync(cancellationToken);
        return document is null ? null : ReadEntry(document);
    }

    /// <summary>
    /// Decides for one subject as the SQLite stores do: with an active block, returns it for publication only when it
    /// was never published and either came from this event (a redelivery after a crash) or is older than
    /// <see cref="SqliteBlockLedger.UnpublishedGracePeriod"/>; otherwise calls <paramref name="decide"/> and stores the
    /// block it returns, unless another replica stored one first.
    /// </summary>
    public async Task<Decision> DecideAsync(BlockSubject subject, string code, Guid sourceEventId, DateTimeOffset now, Func<DetectorBlock?> decide, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decide);
        var active = await FindActiveAsync(subject, code, now, cancellationToken);
        if (active is not null)
        {
            var resend = active.PublishedAt is null
                && (active.Block.BlockedAt < now - SqliteBlockLedger.UnpublishedGracePeriod
                    || (await FindUnpublishedAsync(sourceEventId, cancellationToken)).Any(block => block.EventId == active.Block.EventId));
            return new Decision(AlreadyBlocked: true, resend ? active.Block : null, IsNew: false);
        }

        if (decide() is not { } block)
        {
            return new Decision(AlreadyBlocked: false, null, IsNew: false);
        }

        return await TryInsertAsync(block, sourceEventId, cancellationToken)
            ? new Decision(AlreadyBlocked: false, block, IsNew: true)
            : new Decision(AlreadyBlocked: true, null, IsNew: false);
    }

    /// <summary>Stores a new active block; returns false when another replica stored one on the same subject first.</summary>
    public async Task<bool> TryInsertAsync(DetectorBlock block, Guid sourceEventId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(block);
        var subject = block.Subject;
        var (messageType, message) = block.AccountBlocked is not null
            ? (nameof(AccountBlocked), JsonSerializer.Serialize(block.AccountBlocked, JsonOptions))
            : (nameof(IpBlocked), JsonSerializer.Serialize(block.IpBlocked, JsonOptions));
        var document = new BsonDocument
        {
            ["_id"] = block.EventId.ToString("N"),
            ["source_event_id"] = sourceEventId.ToString("N"),
            ["kind"] = subject.Kind,
            ["subject"] = subject.Value,
            ["on_ip"] = subject.OnIp ?? string.Empty,
            ["code"] = block.Code,
            ["scope"] = block.Scope,
            ["state"] = Active,
            ["blocked_at"] = block.BlockedAt.UtcDateTime,
            ["expires_at"] = block.ExpiresAt is { } expires ? expires.UtcDateTime : BsonNull.Value,
            ["published_at"] = BsonNull.Value,
            ["message_type"] = messageType,
            ["message"] = message,
        };
        try
        {
            await _blocks.InsertOneAsync(document, cancellationToken: cancellationToken);
            return true;
        }
        catch (MongoWriteException exception) when (exception.WriteError.Category == ServerErrorCategory.DuplicateKey)
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<DetectorBlock>> FindUnpublishedAsync(Guid sourceEventId, CancellationToken cancellationToken)
    {
        var documents = await _blocks.Find(Filter.Eq("source_event_id", sourceEventId.ToString("N")) & Filter.Eq("published_at", BsonNull.Value))
            .Sort(Builders<BsonDocument>.Sort.Ascending("blocked_at"))
            .ToListAsync(cancellationToken);
        return documents.Select(document => ReadEntry(document).Block).ToList();
    }

    public Task MarkPublishedAsync(Guid eventId, DateTimeOffset now, CancellationToken cancellationToken) =>
        _blocks.UpdateOneAsync(
            Filter.Eq("_id", eventId.ToString("N")) & Filter.Eq("published_at", BsonNull.Value),
            new BsonDocument("$set", new BsonDocument("published_at", now.UtcDateTime)),
            cancellationToken: cancellationToken);

    /// <summary>
    /// Records a lift of <paramref name="code"/> and ends the matching active blocks; an account subject without an
    /// address lifts the account on every address too. Both updates are idempotent, so a redelivered lift changes nothing.
    /// </summary>
    public async Task RecordLiftAsync(BlockSubject subject, string code, DateTimeOffset liftedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var onIp = subject.OnIp ?? string.Empty;
        await _lifts.UpdateOneAsync(
            Filter.Eq("_id", $"{subject.Kind}|{subject.Value}|{onIp}|{code}"),
            new BsonDocument
            {
                ["$set"] = new BsonDocument { ["kind"] = subject.Kind, ["subject"] = subject.Value, ["on_ip"] = onIp, ["code"] = code },
                ["$max"] = new BsonDocument("lifted_at", liftedAt.UtcDateTime),
            },
            new UpdateOptions { IsUpsert = true },
            cancellationToken);
        var matching = Filter.Eq("kind", subject.Kind) & Filter.Eq("subject", subject.Value) & Filter.Eq("code", code) & Filter.Eq("state", Active);
        if (subject.OnIp is not null)
        {
            matching &= Filter.Eq("on_ip", onIp);
        }

        await _blocks.UpdateManyAsync(
            matching,
            new BsonDocument("$set", new BsonDocument { ["state"] = Lifted, ["lifted_at"] = liftedAt.UtcDateTime, ["ended_at"] = liftedAt.UtcDateTime }),
            cancellationToken: cancellationToken);
    }

    /// <summary>Returns the time of the latest lift of <paramref name="code"/> that covers the subject, or null.</summary>
    public async Task<DateTimeOffset?> FindLastLiftAsync(BlockSubject subject, string code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var filter = Filter.Eq("kind", subject.Kind) & Filter.Eq("subject", subject.Value) & Filter.Eq("code", code)
            & Filter.In("on_ip", new[] { string.Empty, subject.OnIp ?? string.Empty });
        var latest = await _lifts.Find(filter).Sort(Builders<BsonDocument>.Sort.Descending("lifted_at")).FirstOrDefaultAsync(cancellationToken);
        return latest is null ? null : new DateTimeOffset(latest["lifted_at"].ToUniversalTime(), TimeSpan.Zero);
    }

    public async Task<IReadOnlyList<DetectorBlock>> ListActiveAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var filter = Filter.Eq("state", Active) & (Filter.Eq("expires_at", BsonNull.Value) | Filter.Gt("expires_at", now.UtcDateTime));
        var documents = await _blocks.Find(filter).Sort(Builders<BsonDocument>.Sort.Ascending("blocked_at")).ToListAsync(cancellationToken);
        return documents.Select(document => ReadEntry(document).Block).ToList();
    }

    /// <summary>Deletes blocks that ended before <paramref name="endedBefore"/> and lifts recorded before <paramref name="liftsBefore"/>.</summary>
    public async Task<long> PruneAsync(DateTimeOffset endedBefore, DateTimeOffset liftsBefore, CancellationToken cancellationToken)
    {
        var ended = Filter.Ne("state", Active) & Filter.Lt("ended_at", endedBefore.UtcDateTime);
        var expired = Filter.Eq("state", Active) & Filter.Lt("expires_at", endedBefore.UtcDateTime);
        var blocks = await _blocks.DeleteManyAsync(ended | expired, cancellationToken);
        var lifts = await _lifts.DeleteManyAsync(Filter.Lt("lifted_at", liftsBefore.UtcDateTime), cancellationToken);
        return blocks.DeletedCount + lifts.DeletedCount;
    }

    private static FilterDefinition<BsonDocument> Slot(BlockSubject subject, string code) =>
        Filter.Eq("kind", subject.Kind) & Filter.Eq("subject", subject.Value) & Filter.Eq("on_ip", subject.OnIp ?? string.Empty) & Filter.Eq("code", code);

    private static SqliteBlockLedger.Entry ReadEntry(BsonDocument document)
    {
        var messageType = document["message_type"].AsString;
        var message = document["message"].AsString;
        var block = messageType switch
        {
            nameof(AccountBlocked) => DetectorBlock.From(JsonSerializer.Deserialize<AccountBlocked>(message, JsonOptions)!),
            nameof(IpBlocked) => DetectorBlock.From(JsonSerializer.Deserialize<IpBlocked>(message, JsonOptions)!),
            _ => throw new InvalidDataException($"Invalid block document {document["_id"]}: the message type is '{messageType}', but must be {nameof(AccountBlocked)} or {nameof(IpBlocked)}."),
        };
        DateTimeOffset? publishedAt = document["published_at"].IsBsonNull ? null : new DateTimeOffset(document["published_at"].ToUniversalTime(), TimeSpan.Zero);
        return new SqliteBlockLedger.Entry(block, publishedAt);
    }

    /// <summary>What <see cref="DecideAsync"/> did: <see cref="Block"/> is the block to publish, new or not, or null.</summary>
    public sealed record Decision(bool AlreadyBlocked, DetectorBlock? Block, bool IsNew);
}
