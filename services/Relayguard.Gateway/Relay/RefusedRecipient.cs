using Relayguard.Gateway.Smtp;

namespace Relayguard.Gateway.Relay;

public sealed record RefusedRecipient(string Address, SmtpReply Reply);
