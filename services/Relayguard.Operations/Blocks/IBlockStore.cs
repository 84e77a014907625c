using Relayguard.Contracts;

namespace Relayguard.Operations.Blocks;

/// <summary>
/// The registry of every block: recorded from block events (idempotent by <c>EventId</c>), listed, lifted and
/// pruned. A block is active while it is not lifted and its expiry, if any, is after the current time. Each change
/// is stored with its audit entries and its webhook event. <see cref="SqliteBlockStore"/> does it in one transaction,
/// <see cref="Mongo.MongoBlockStore"/> with idempotent single-document updates.
/// </summary>
public interface IBlockStore
{
    private const string CursorList = "blocks";

    /// <summary>The audit actor of a block that arrived as an event: <c>detector:CA1</c>, or <c>bus:OP1</c> for a manual block another process recorded.</summary>
    static string EventActor(string code) =>
        code == RuleCodes.Op1 ? $"bus:{code}" : $"detector:{code}";

    /// <summary>Checks that <paramref name="cursor"/> is a block list cursor made for the filters of <paramref name="query"/>.</summary>
    static PageCursorCheck CheckCursor(string cursor, BlockQuery query) =>
        PageCursor.TryDecode(CursorList, cursor, query.Filters, out _, out _);

    internal static PageCursorCheck TryDecodeCursor(string cursor, BlockQuery query, out long blockedAt, out long id) =>
        PageCursor.TryDecode(CursorList, cursor, query.Filters, out blockedAt, out id);

    internal static string EncodeCursor(BlockRecord last, BlockQuery query) =>
        PageCursor.Encode(CursorList, last.BlockedAt.ToUnixTimeMilliseconds(), last.Id, query.Filters);

    /// <summary>Records a block set by <paramref name="actor"/>. Returns false when the event was recorded before.</summary>
    bool Record(NewBlock block, string actor);

    /// <summary>
    /// Applies a lift published elsewhere (an <see cref="AccountUnblocked"/> or <see cref="IpUnblocked"/> event).
    /// Blocks set after the lift's time stay active. Returns false when the event was applied before.
    /// </summary>
    bool ApplyLift(BlockLift lift, IReadOnlyCollection<string> codes, DateTimeOffset unblockedAt);

    /// <summary>
    /// Records an operator's manual block and publishes <paramref name="message"/>, its block event, with
    /// <paramref name="publish"/>. Lifts the subject's active block of the same code and scope, as the gateways
    /// replace it when the event arrives. Returns the stored block and the blocks it replaced.
    /// </summary>
    /// <exception cref="EventPublishException">The event could not be published, and the store did not keep the block.</exception>
    Task<ManualBlockResult> BlockAsync(NewBlock block, string actor, object message, EventPublisher publish, CancellationToken cancellationToken);

    /// <summary>
    /// Lifts the subject's blocks that are active at <paramref name="now"/> (every code, or only
    /// <paramref name="code"/>) and publishes the unblock event that <paramref name="createEvent"/> builds from the
    /// lifted codes. Returns the lifted blocks, which is empty when nothing matching was active.
    /// </summary>
    /// <exception cref="EventPublishException">The event could not be published, and the store did not keep the lift.</exception>
    Task<IReadOnlyList<BlockRecord>> LiftAsync(
        BlockLift lift,
        string? code,
        DateTimeOffset now,
        Func<IReadOnlyList<string>, object> createEvent,
        EventPublisher publish,
        CancellationToken cancellationToken);

    /// <summary>Reads a page of blocks, newest first (by block time, then id), filtered by kind, code, subject and state.</summary>
    Page<BlockRecord> List(BlockQuery query);

    /// <summary>
    /// Reads the blocks of one subject with their evidence, newest first: active, expired and lifted alike (at most
    /// 100). For a plain account name, the blocks of that account on single addresses (<c>erin/100.64.0.7</c>) are
    /// included, because operators look accounts up by name.
    /// </summary>
    IReadOnlyList<BlockRecord> ForSubject(string kind, string subject);

    /// <summary>Of <paramref name="eventIds"/>, returns the blocks recorded as lifted or expired. Unknown ids are left out, because their event may still be on its way.</summary>
    IReadOnlyList<Guid> FindEnded(IReadOnlyList<Guid> eventIds);

    /// <summary>Counts the active blocks by rule code.</summary>
    IReadOnlyList<(string Code, long Count)> CountActive();

    /// <summary>
    /// Deletes the sample addresses from the evidence of blocks that ended (were lifted, or expired) longer ago
    /// than <see cref="OperationsOptions.EvidenceRetention"/>. Counts, summary and trace id stay. Returns how
    /// many blocks were pruned. The host calls this periodically.
    /// </summary>
    int PruneEvidence();
}
