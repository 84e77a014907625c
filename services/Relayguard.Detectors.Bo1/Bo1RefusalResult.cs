using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Bo1;

/// <summary>What recording one refused bounce message did.</summary>
public sealed record Bo1RefusalResult
{
    /// <summary>True when the event had already been applied, so nothing was counted again.</summary>
    public bool Duplicate { get; init; }

    /// <summary>One entry per subject counted, or none for a duplicate.</summary>
    public IReadOnlyList<Bo1SubjectResult> Subjects { get; init; } = [];

    /// <summary>
    /// Stored block events that the caller must publish and then mark published: new blocks, those from an
    /// earlier delivery of this event that were never marked published, and active blocks left unpublished for
    /// longer than <see cref="SqliteBlockLedger.UnpublishedGracePeriod"/>.
    /// </summary>
    public IReadOnlyList<DetectorBlock> Blocks { get; init; } = [];
}
