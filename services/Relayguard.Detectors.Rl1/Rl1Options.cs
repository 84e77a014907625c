namespace Relayguard.Detectors.Rl1;

/// <summary>
/// Settings of RL1, which defers further mail from an account (or, for trusted senders without an account, from a
/// client address) that reached its hourly volume (configuration section <c>Rules:RL1</c>). 0 turns a limit off.
/// </summary>
public sealed class Rl1Options
{
    public const string SectionName = "Rules:RL1";

    /// <summary>The window that the limits count over: any hour, sliding.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    /// <summary>Relayed messages per subject in any hour. Default 300.</summary>
    public int MessagesPerHour { get; set; } = 300;

    /// <summary>Recipients of relayed messages per subject in any hour. Default 1000.</summary>
    public int RecipientsPerHour { get; set; } = 1000;

    /// <summary>Per-account limits that replace the defaults, as <c>Rules:RL1:Accounts:NAME:MessagesPerHour</c>.</summary>
    public Dictionary<string, Rl1AccountLimits> Accounts { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Returns the limits of an account (null: an address), the account's override where it has one.</summary>
    public Rl1Limits LimitsFor(string? account)
    {
        if (account is not null)
        {
            foreach (var (name, limits) in Accounts)
            {
                if (string.Equals(name, account, StringComparison.OrdinalIgnoreCase))
                {
                    return new Rl1Limits(limits.MessagesPerHour ?? MessagesPerHour, limits.RecipientsPerHour ?? RecipientsPerHour);
                }
            }
        }

        return new Rl1Limits(MessagesPerHour, RecipientsPerHour);
    }
}
