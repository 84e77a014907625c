using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Rl1;

/// <summary>One relayed message counted against <see cref="Subject"/>.</summary>
public sealed record Rl1Submission(Guid EventId, BlockSubject Subject, string GatewayMessageId, int Recipients, DateTimeOffset SubmittedAt);
