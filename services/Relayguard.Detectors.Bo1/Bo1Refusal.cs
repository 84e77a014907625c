namespace Relayguard.Detectors.Bo1;

/// <summary>One bounce message that the gateway refused at end of DATA.</summary>
public sealed record Bo1Refusal(Guid EventId, string GatewayMessageId, DateTimeOffset SubmittedAt);
