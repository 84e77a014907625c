using MailKit;
using MailKit.Net.Smtp;
using MimeKit;
using MimeKit.Text;

namespace Relayguard.Gateway.Relay;

/// <summary>
/// MailKit's client with three changes for relaying: refused recipients are collected instead of failing the
/// message, the DSN envelope id is the transaction's, and the message is not re-encoded before sending.
/// </summary>
internal sealed class RelaySmtpClient : SmtpClient
{
    public RelaySmtpClient(IProtocolLogger? logger = null)
        : base(logger ?? new NullProtocolLogger())
    {
    }

    public List<(string Address, SmtpResponse Response)> Refused { get; } = [];

    public string? EnvelopeId { get; set; }

    /// <summary>
    /// Each recipient MailKit is given, by instance, with the address as the client wrote it and its NOTIFY. MailKit
    /// hands the instance back, but its <c>Address</c> has an <c>xn--</c> domain decoded into UTF-8.
    /// </summary>
    public Dictionary<MailboxAddress, (string Address, DeliveryStatusNotification? Notify)> Envelope { get; } = new(ReferenceEqualityComparer.Instance);

    public DateTimeOffset LastUsed { get; set; }

    /// <summary>When this connection to the upstream was opened.</summary>
    public DateTimeOffset ConnectedAt { get; set; }

    /// <summary>The extensions the upstream offered at EHLO; <see cref="SmtpClient.Capabilities"/> is narrowed per message.</summary>
    public SmtpCapabilities UpstreamCapabilities { get; set; }

    /// <summary>The upstream's refusal of MAIL FROM in the last transaction, if it refused it.</summary>
    public SmtpResponse? SenderRefusal { get; set; }

    protected override void OnSenderNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
    {
        // With PIPELINING the RCPT commands that follow get "503 need MAIL command". The client gets this reply instead,
        // which is often temporary, such as 452 insufficient storage.
        SenderRefusal = response;
        base.OnSenderNotAccepted(message, mailbox, response);
    }

    protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) =>
        Refused.Add((Envelope.TryGetValue(mailbox, out var recipient) ? recipient.Address : mailbox.Address, response));

    protected override string? GetEnvelopeId(MimeMessage message) => EnvelopeId;

    protected override DeliveryStatusNotification? GetDeliveryStatusNotifications(MimeMessage message, MailboxAddress mailbox) =>
        Envelope.TryGetValue(mailbox, out var recipient) ? recipient.Notify : null;

    protected override void Prepare(FormatOptions options, MimeMessage message, EncodingConstraint constraint, int maxLineLength)
    {
        // The message goes out as the client sent it: no re-encoding.
    }
}
