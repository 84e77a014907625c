using MimeKit;
using Relayguard.Gateway.Smtp;

namespace Relayguard.Gateway.Relay;

/// <summary>
/// A message ready to relay: the envelope and the client's message, parsed without loading its content
/// (MimeKit's persistent mode), with the gateway's own headers inserted at the top. Nothing else is changed,
/// so MimeKit writes the other headers and every body part back as they were received. <see cref="ReturnContent"/>
/// is the client's RET parameter: what a bounce of this message returns of it.
/// </summary>
public sealed record OutgoingMessage(
    string GatewayId,
    string ReversePath,
    IReadOnlyList<SmtpRecipient> Recipients,
    string? EnvelopeId,
    bool SmtpUtf8,
    MimeMessage Message,
    MailKit.Net.Smtp.DeliveryStatusNotificationType ReturnContent = MailKit.Net.Smtp.DeliveryStatusNotificationType.Unspecified);
