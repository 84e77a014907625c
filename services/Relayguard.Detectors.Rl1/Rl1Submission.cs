using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Rl1;

/// <summary>One relayed message counted against <see cref="Subject"/>.</summary>
/// <param name="TraceParent">The W3C traceparent of the span that counted the message, in its submission's trace.</param>
public sealed record Rl1Submission(Guid EventId, BlockSubject Subject, string GatewayMessageId, int Recipients, DateTimeOffset SubmittedAt, string? TraceParent = null);
