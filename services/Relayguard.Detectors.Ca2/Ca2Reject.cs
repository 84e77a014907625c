using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca2;

/// <summary>One message that the spam scanner rejected, counted against <see cref="Subject"/>.</summary>
/// <param name="TraceParent">The W3C traceparent of the span that counted the message, in its submission's trace.</param>
public sealed record Ca2Reject(
    Guid EventId,
    BlockSubject Subject,
    string GatewayMessageId,
    double? SpamScore,
    DateTimeOffset SubmittedAt,
    IReadOnlyList<string>? SpamSymbols = null,
    string? TraceParent = null);
