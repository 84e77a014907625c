using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Rl1;

/// <summary>
/// The state of RL1: relayed messages per subject, lifts and issued blocks. Each method must be one atomic update that
/// applies an event at most once, so that several replicas sharing one store decide as one. <see cref="SqliteRl1Store"/>
/// uses a BEGIN IMMEDIATE transaction with a processed-events mark.
/// </summary>
public interface IRl1Store
{
    /// <summary>
    /// Records the message, then, unless an RL1 block is active on its subject, calls <paramref name="decide"/> with the
    /// subject's messages submitted after <paramref name="since"/> and after the last lift, oldest first, and stores
    /// the block it returns. All of it happens in one transaction. While those messages reach none of
    /// <paramref name="limits"/>, <paramref name="decide"/> is not called and a store may sum them without reading them.
    /// </summary>
    Task<Rl1Result> RecordAsync(Rl1Submission submission, DateTimeOffset since, DateTimeOffset now, Rl1Limits limits, Func<IReadOnlyList<Rl1Submission>, DetectorBlock?> decide, CancellationToken cancellationToken);

    /// <summary>Records a lift of RL1: its active block ends and earlier messages no longer count. False when already applied.</summary>
    Task<bool> RecordLiftAsync(Guid eventId, BlockSubject subject, DateTimeOffset liftedAt, DateTimeOffset now, CancellationToken cancellationToken);

    Task MarkPublishedAsync(Guid blockEventId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes messages and event marks older than <paramref name="before"/>, and blocks that ended before <paramref name="blocksEndedBefore"/>.</summary>
    Task<int> PruneAsync(DateTimeOffset before, DateTimeOffset blocksEndedBefore, CancellationToken cancellationToken);
}
