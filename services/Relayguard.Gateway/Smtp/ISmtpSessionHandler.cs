namespace Relayguard.Gateway.Smtp;

/// <summary>
/// The gateway's side of an SMTP session. The protocol layer parses commands and enforces the
/// protocol; this interface is where rules decide, so the protocol layer can be replaced
/// without touching them.
/// </summary>
public interface ISmtpSessionHandler
{
    /// <summary>Returns a reply that refuses the connection (421 or 554), or null to greet it.</summary>
    ValueTask<SmtpReply?> OnConnectedAsync(SmtpSessionContext session, CancellationToken cancellationToken);

    /// <summary>Checks a user name and password from AUTH PLAIN or LOGIN; the password never leaves this call.</summary>
    ValueTask<SmtpReply> AuthenticateAsync(SmtpSessionContext session, string userName, string password, CancellationToken cancellationToken);

    ValueTask<SmtpReply> MailFromAsync(SmtpSessionContext session, SmtpTransaction transaction, CancellationToken cancellationToken);

    ValueTask<SmtpReply> RcptToAsync(SmtpSessionContext session, SmtpTransaction transaction, SmtpRecipient recipient, CancellationToken cancellationToken);

    /// <summary>Decides the message at the end of DATA. Must not throw: every outcome is a reply.</summary>
    ValueTask<SmtpReply> MessageAsync(SmtpSessionContext session, SmtpTransaction transaction, MessageData message, CancellationToken cancellationToken);

    /// <summary>
    /// Called when a transaction ends without reaching <see cref="MessageAsync"/>: RSET, QUIT or a dropped
    /// connection (<paramref name="refusal"/> null), or data the protocol layer refused (too large, bare line endings).
    /// </summary>
    void OnTransactionAbandoned(SmtpSessionContext session, SmtpTransaction transaction, SmtpReply? refusal);

    void OnDisconnected(SmtpSessionContext session);
}
