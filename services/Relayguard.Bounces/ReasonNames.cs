namespace Relayguard.Bounces;

/// <summary>Wire names of <see cref="BounceReason"/> values, used in events and command output.</summary>
public static class ReasonNames
{
    /// <summary>Returns the kebab-case name of a reason, such as <c>user-unknown</c>.</summary>
    public static string ToWire(BounceReason reason) => reason switch
    {
        BounceReason.UserUnknown => "user-unknown",
        BounceReason.HostUnknown => "host-unknown",
        BounceReason.MailboxFull => "mailbox-full",
        BounceReason.MessageTooLarge => "message-too-large",
        BounceReason.PolicyBlocked => "policy-blocked",
        BounceReason.SpamContent => "spam-content",
        BounceReason.RateLimited => "rate-limited",
        BounceReason.Expired => "expired",
        BounceReason.Other => "other",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "Unknown bounce reason."),
    };
}
