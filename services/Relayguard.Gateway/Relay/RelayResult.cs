using Relayguard.Gateway.Smtp;

namespace Relayguard.Gateway.Relay;

/// <summary>
/// What the upstream did with a message: <see cref="Reply"/> is what the client gets; recipients the
/// upstream refused while others were accepted are listed in <see cref="RefusedRecipients"/>. <see cref="Delivery"/>
/// names where the message went and the reply there (the upstream's reply contains its queue id), for the log line
/// that lets an operator follow a message into the upstream's own log.
/// </summary>
public sealed record RelayResult(bool Accepted, SmtpReply Reply, IReadOnlyList<RefusedRecipient> RefusedRecipients, string? Delivery = null);
