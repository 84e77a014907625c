using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca2;

/// <summary>One message that the spam scanner rejected, counted against <see cref="Subject"/>.</summary>
public sealed record Ca2Reject(
    Guid EventId,
    BlockSubject Subject,
    string GatewayMessageId,
    double? SpamScore,
    DateTimeOffset SubmittedAt,
    IReadOnlyList<string>? SpamSymbols = null);
