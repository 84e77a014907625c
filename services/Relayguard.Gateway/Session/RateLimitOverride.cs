namespace Relayguard.Gateway.Session;

/// <summary>An account's own RL1 limits; a limit left out keeps the default, and 0 turns it off.</summary>
public sealed class RateLimitOverride
{
    public int? MessagesPerHour { get; set; }

    public int? RecipientsPerHour { get; set; }
}
