using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca2;

/// <summary>
/// The state of CA2: rejected messages per subject, lifts, and issued blocks. Each method must be one atomic update
/// that applies an event at most once, identified by its event id, so that several replicas sharing one store decide
/// as one. <see cref="SqliteCa2Store"/> uses a BEGIN IMMEDIATE transaction.
/// </summary>
public interface ICa2Store
{
    /// <summary>
    /// Records the rejected message, then, unless a CA2 block is active on its subject, calls
    /// <paramref name="decide"/> with the subject's rejected messages submitted within <paramref name="window"/>
    /// before or after this one and not before the last lift, oldest first, and stores the block it returns.
    /// All of it happens in one transaction. With fewer than <paramref name="threshold"/> such messages the subject
    /// cannot be blocked, so <paramref name="decide"/> is not called and a store may count them without reading them.
    /// </summary>
    Task<Ca2RejectResult> RecordRejectAsync(
        Ca2Reject reject,
        DateTimeOffset now,
        TimeSpan window,
        int threshold,
        Func<IReadOnlyList<Ca2Reject>, DetectorBlock?> decide,
        CancellationToken cancellationToken);

    /// <summary>
    /// Records a lift of CA2 on the subject: its active block ends and messages submitted before
    /// <paramref name="liftedAt"/> no longer count. An account without an address lifts the account on every
    /// address. Returns false when the event was already applied.
    /// </summary>
    Task<bool> RecordLiftAsync(Guid eventId, BlockSubject subject, DateTimeOffset liftedAt, DateTimeOffset now, CancellationToken cancellationToken);

    Task MarkPublishedAsync(Guid blockEventId, DateTimeOffset now, CancellationToken cancellationToken);

    Task<IReadOnlyList<DetectorBlock>> ListActiveBlocksAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes rejected messages submitted before <paramref name="rejectsBefore"/>, event marks and lifts older than
    /// it, and blocks that ended before <paramref name="blocksEndedBefore"/>. Returns the number of rows deleted.
    /// </summary>
    Task<int> PruneAsync(DateTimeOffset rejectsBefore, DateTimeOffset blocksEndedBefore, CancellationToken cancellationToken);
}
