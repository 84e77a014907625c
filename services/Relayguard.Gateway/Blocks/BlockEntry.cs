namespace Relayguard.Gateway.Blocks;

/// <summary>One active block as the gateway enforces it.</summary>
public sealed record BlockEntry(
    string Kind,
    string Subject,
    string Code,
    string Scope,
    string Reason,
    DateTimeOffset BlockedAt,
    DateTimeOffset? ExpiresAt,
    Guid EventId)
{
    public bool IsActive(DateTimeOffset now) => ExpiresAt is null || ExpiresAt > now;
}
