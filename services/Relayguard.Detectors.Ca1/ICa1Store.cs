using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca1;

/// <summary>
/// The state of CA1: distinct and invalid recipients per account and window, lifts, and issued blocks.
/// Each method must be one atomic update that applies an event at most once, identified by its event id, so that
/// several replicas sharing one store decide as one. <see cref="SqliteCa1Store"/> uses a BEGIN IMMEDIATE transaction.
/// </summary>
public interface ICa1Store
{
    /// <summary>
    /// Records each distinct recipient of the submission in its window, then, unless a CA1 block is active on the
    /// account, calls <paramref name="decide"/> with the window's counts and stores the block it returns. All of it
    /// happens in one transaction. The tally given to <paramref name="decide"/> and returned may have no samples,
    /// but a new block's evidence always has them.
    /// </summary>
    Task<Ca1Result> RecordSubmissionAsync(
        Ca1Submission submission,
        DateTimeOffset now,
        Func<Ca1Tally, DetectorBlock?> decide,
        CancellationToken cancellationToken);

    /// <summary>
    /// Marks the recipient invalid in its window, then decides as <see cref="RecordSubmissionAsync"/> does. A bounce
    /// that arrives before its submission is stored but counts only once the submission is recorded.
    /// </summary>
    Task<Ca1Result> RecordInvalidBounceAsync(
        Ca1InvalidBounce bounce,
        DateTimeOffset now,
        Func<Ca1Tally, DetectorBlock?> decide,
        CancellationToken cancellationToken);

    /// <summary>
    /// Records a lift of CA1 on the account: its active block ends, and recipients submitted before
    /// <paramref name="liftedAt"/> no longer count. Returns false when the event was already applied.
    /// </summary>
    Task<bool> RecordLiftAsync(Guid eventId, string account, DateTimeOffset liftedAt, DateTimeOffset now, CancellationToken cancellationToken);

    Task MarkPublishedAsync(Guid blockEventId, DateTimeOffset now, CancellationToken cancellationToken);

    Task<Ca1Tally> GetTallyAsync(string account, DateTimeOffset windowStart, CancellationToken cancellationToken);

    Task<IReadOnlyList<DetectorBlock>> ListActiveBlocksAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes windows that started before <paramref name="windowsBefore"/>, event marks and lifts older than it, and
    /// blocks that ended before <paramref name="blocksEndedBefore"/>. Returns the number of rows deleted.
    /// </summary>
    Task<int> PruneAsync(DateTimeOffset windowsBefore, DateTimeOffset blocksEndedBefore, CancellationToken cancellationToken);
}
