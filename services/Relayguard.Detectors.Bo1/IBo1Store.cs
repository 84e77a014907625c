using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Bo1;

/// <summary>
/// The state of BO1 escalation: refused bounce messages per subject, lifts, and issued blocks. Each method must be
/// one atomic update that applies an event at most once, identified by its event id, so that several replicas
/// sharing one store decide as one. <see cref="SqliteBo1Store"/> uses a BEGIN IMMEDIATE transaction.
/// </summary>
public interface IBo1Store
{
    /// <summary>
    /// Records the refusal against each subject, then, for each subject without an active BO1 block, calls
    /// <paramref name="decide"/> with its refusals submitted within <paramref name="window"/> before or after this
    /// one and not before the last lift, oldest first, and stores the block it returns. All of it happens in one
    /// transaction. A subject with fewer than <paramref name="threshold"/> such refusals cannot be blocked, so
    /// <paramref name="decide"/> is not called for it and a store may count its refusals without reading them.
    /// </summary>
    Task<Bo1RefusalResult> RecordRefusalAsync(
        Bo1Refusal refusal,
        IReadOnlyList<BlockSubject> subjects,
        DateTimeOffset now,
        TimeSpan window,
        int threshold,
        Func<BlockSubject, IReadOnlyList<Bo1Refusal>, DetectorBlock?> decide,
        CancellationToken cancellationToken);

    /// <summary>
    /// Records a lift of BO1 on the subject: its active block ends and refusals submitted before
    /// <paramref name="liftedAt"/> no longer count. Returns false when the event was already applied.
    /// </summary>
    Task<bool> RecordLiftAsync(Guid eventId, BlockSubject subject, DateTimeOffset liftedAt, DateTimeOffset now, CancellationToken cancellationToken);

    Task MarkPublishedAsync(Guid blockEventId, DateTimeOffset now, CancellationToken cancellationToken);

    Task<IReadOnlyList<DetectorBlock>> ListActiveBlocksAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes refusals submitted before <paramref name="refusalsBefore"/>, event marks and lifts older than it, and
    /// blocks that ended before <paramref name="blocksEndedBefore"/>. Returns the number of rows deleted.
    /// </summary>
    Task<int> PruneAsync(DateTimeOffset refusalsBefore, DateTimeOffset blocksEndedBefore, CancellationToken cancellationToken);
}
