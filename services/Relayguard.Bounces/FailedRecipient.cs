namespace Relayguard.Bounces;

/// <summary>One recipient that a delivery report lists as failed or delayed.</summary>
public sealed record FailedRecipient
{
    /// <summary>The address that failed (RFC 3464 Final-Recipient, or what a non-standard report names).</summary>
    public required string Address { get; init; }

    /// <summary>
    /// The address as the sender submitted it, when the report names one that differs from
    /// <see cref="Address"/> (RFC 3464 Original-Recipient, sendmail's "expanded from").
    /// </summary>
    public string? OriginalAddress { get; init; }

    /// <summary><c>failed</c> or <c>delayed</c>.</summary>
    public required string Action { get; init; }

    /// <summary>The SMTP reply code, such as 550.</summary>
    public int? ReplyCode { get; init; }

    /// <summary>The enhanced status code (RFC 3463), such as <c>5.1.1</c>.</summary>
    public string? Status { get; init; }

    /// <summary>The diagnostic text, on one line.</summary>
    public string? Diagnostic { get; init; }

    public required BounceReason Reason { get; init; }

    /// <summary>True when the failure states that the address or its domain does not exist.</summary>
    public required bool AddressInvalid { get; init; }

    /// <summary>True for a 5xx reply, or for a failed action with a 5.x.x status or no code at all.</summary>
    public required bool Permanent { get; init; }
}
