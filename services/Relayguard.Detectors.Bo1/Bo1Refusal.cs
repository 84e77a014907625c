namespace Relayguard.Detectors.Bo1;

/// <summary>One bounce message that the gateway refused at end of DATA.</summary>
/// <param name="TraceParent">The W3C traceparent of the span that counted the refusal, in its submission's trace.</param>
public sealed record Bo1Refusal(Guid EventId, string GatewayMessageId, DateTimeOffset SubmittedAt, string? TraceParent = null);
