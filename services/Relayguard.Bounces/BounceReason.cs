namespace Relayguard.Bounces;

/// <summary>Why delivery to one recipient failed or was delayed.</summary>
public enum BounceReason
{
    /// <summary>The mailbox does not exist, or has moved without forwarding.</summary>
    UserUnknown,

    /// <summary>The recipient's domain does not exist or accepts no mail (no MX, null MX).</summary>
    HostUnknown,

    /// <summary>The mailbox is over its quota.</summary>
    MailboxFull,

    /// <summary>The message exceeds a size limit.</summary>
    MessageTooLarge,

    /// <summary>A policy of the receiving side: sender reputation, authentication, relaying, block lists.</summary>
    PolicyBlocked,

    /// <summary>The content was refused: spam, a virus, a forbidden attachment.</summary>
    SpamContent,

    /// <summary>Too many messages or connections, so the sender has to slow down.</summary>
    RateLimited,

    /// <summary>The message stayed in the queue until it expired.</summary>
    Expired,

    /// <summary>Anything else, including network and system errors and disabled mailboxes.</summary>
    Other,
}
