using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca2;

/// <summary>What recording one rejected message did.</summary>
public sealed record Ca2RejectResult
{
    /// <summary>True when the event had already been applied, so nothing was counted again.</summary>
    public bool Duplicate { get; init; }

    /// <summary>Rejected messages of the subject within one window before or after this one, this one included.</summary>
    public int Nearby { get; init; }

    /// <summary>True when a CA2 block was already active on the subject, so no new one was made.</summary>
    public bool AlreadyBlocked { get; init; }

    /// <summary>
    /// A stored block event that the caller must publish and then mark published: a new block, one from an
    /// earlier delivery of this event that was never marked published, or an active block left unpublished for
    /// longer than <see cref="SqliteBlockLedger.UnpublishedGracePeriod"/>.
    /// </summary>
    public DetectorBlock? Block { get; init; }

    /// <summary>True when <see cref="Block"/> was created by this call.</summary>
    public bool BlockIsNew { get; init; }
}
