namespace Relayguard.Gateway.Smtp;

/// <summary>A forward path accepted at RCPT TO, with its DSN parameters (NOTIFY, ORCPT).</summary>
public sealed record SmtpRecipient(string Address, IReadOnlyDictionary<string, string?> Parameters);
