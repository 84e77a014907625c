namespace Relayguard.Gateway.Scanning;

/// <summary>The envelope Rspamd gets in its request headers: IP, From, Rcpt, User, Helo and Queue-Id.</summary>
public sealed record ScanEnvelope(string QueueId, string ClientIp, string From, IReadOnlyList<string> Recipients, string? User, string? Helo);
