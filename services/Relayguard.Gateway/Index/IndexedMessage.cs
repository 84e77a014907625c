namespace Relayguard.Gateway.Index;

public sealed record IndexedMessage(
    string GatewayId,
    string? MessageId,
    string? EnvelopeId,
    string? Account,
    string ClientIp,
    IReadOnlyList<string> Recipients,
    DateTimeOffset SubmittedAt);
