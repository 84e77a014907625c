namespace Relayguard.Detectors.Rl1;

/// <summary>An account's own RL1 limits; a limit left out keeps the default, and 0 turns it off.</summary>
public sealed class Rl1AccountLimits
{
    public int? MessagesPerHour { get; set; }

    public int? RecipientsPerHour { get; set; }
}
