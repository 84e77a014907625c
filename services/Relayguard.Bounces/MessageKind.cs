namespace Relayguard.Bounces;

/// <summary>What a message is, as far as bounce handling is concerned.</summary>
public enum MessageKind
{
    /// <summary>A non-delivery or delay report (RFC 3464 or a non-standard form of one).</summary>
    DeliveryReport,

    /// <summary>An automatic reply (RFC 3834), such as an out-of-office notice or a challenge to the sender.</summary>
    AutoReply,

    /// <summary>A message disposition notification (RFC 8098), such as a read receipt.</summary>
    ReadReceipt,

    /// <summary>An abuse feedback report (ARF, RFC 5965) or a provider's complaint notice.</summary>
    FeedbackReport,

    /// <summary>Any other message, including one that forwards or attaches a report.</summary>
    Ordinary,
}
