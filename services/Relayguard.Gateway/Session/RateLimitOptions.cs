namespace Relayguard.Gateway.Session;

/// <summary>
/// The RL1 limits as the gateway enforces them between the detector's blocks (configuration section
/// <c>Rules:RL1</c>, shared with the RL1 detector). 0 turns a limit off.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "Rules:RL1";

    /// <summary>Relayed messages per account (or per client address for trusted senders without an account) in any hour. Default 300.</summary>
    public int MessagesPerHour { get; set; } = 300;

    /// <summary>Recipients of relayed messages per account or address in any hour. Default 1000.</summary>
    public int RecipientsPerHour { get; set; } = 1000;

    /// <summary>Per-account limits that replace the defaults, as <c>Rules:RL1:Accounts:NAME:MessagesPerHour</c>.</summary>
    public Dictionary<string, RateLimitOverride> Accounts { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Returns the limits of an account, or the defaults when it has no override or is null.</summary>
    public (int Messages, int Recipients) LimitsFor(string? account)
    {
        if (account is not null)
        {
            foreach (var (name, limits) in Accounts)
            {
                if (string.Equals(name, account, StringComparison.OrdinalIgnoreCase))
                {
                    return (limits.MessagesPerHour ?? MessagesPerHour, limits.RecipientsPerHour ?? RecipientsPerHour);
                }
            }
        }

        return (MessagesPerHour, RecipientsPerHour);
    }
}
