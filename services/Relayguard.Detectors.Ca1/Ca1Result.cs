using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca1;

/// <summary>What recording one submission or invalid-address bounce did.</summary>
public sealed record Ca1Result
{
    /// <summary>True when the event had already been applied, so nothing was counted again.</summary>
    public bool Duplicate { get; init; }

    /// <summary>The window's counts after this event, or null for a duplicate.</summary>
    public Ca1Tally? Tally { get; init; }

    /// <summary>True when a CA1 block was already active on the account, so no new one was made.</summary>
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
