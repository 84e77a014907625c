namespace Relayguard.Gateway.Dsn;

/// <summary>What became of one report: its kind, whether it matched a submission, and the bounces published.</summary>
public sealed record DsnIntakeResult(string Kind, bool Matched, string? GatewayMessageId, int Bounces, string Why);
