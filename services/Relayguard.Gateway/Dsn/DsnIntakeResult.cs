namespace Relayguard.Gateway.Dsn;

/// <summary>
/// What became of one report: its kind, whether it matched a submission, the bounces published, and the failed
/// recipients ignored because the matched submission was not sent to them.
/// </summary>
public sealed record DsnIntakeResult(string Kind, bool Matched, string? GatewayMessageId, int Bounces, int Ignored, string Why);
