using Relayguard.Gateway.Smtp;

namespace Relayguard.Gateway.Relay;

/// <summary>
/// What the upstream did with a message: <see cref="Reply"/> is what the client gets; recipients the
/// upstream refused while others were accepted are listed in <see cref="RefusedRecipients"/>.
/// </summary>
public sealed record RelayResult(bool Accepted, SmtpReply Reply, IReadOnlyList<RefusedRecipient> RefusedRecipients);
