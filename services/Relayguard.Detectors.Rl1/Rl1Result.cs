using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Rl1;

/// <summary>What recording one relayed message did.</summary>
public sealed record Rl1Result
{
    /// <summary>True when the event had already been applied, so nothing was counted again.</summary>
    public bool Duplicate { get; init; }

    /// <summary>Messages of the subject in the last hour since the last lift, this one included.</summary>
    public int Messages { get; init; }

    /// <summary>Their recipients.</summary>
    public int Recipients { get; init; }

    public bool AlreadyBlocked { get; init; }

    /// <summary>A stored block event that the caller must publish and then mark published, as in CA2.</summary>
    public DetectorBlock? Block { get; init; }

    public bool BlockIsNew { get; init; }
}
