namespace Relayguard.Bounces;

/// <summary>The SMTP command that a rejection replied to, as far as a report shows it.</summary>
internal enum SmtpStage
{
    Unknown,

    /// <summary>RCPT TO: the server refused the recipient itself.</summary>
    Recipient,

    /// <summary>DATA or end of data: the server had accepted the recipient and refused the content.</summary>
    Data,
}
