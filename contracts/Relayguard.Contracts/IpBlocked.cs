namespace Relayguard.Contracts;

/// <summary>A client address or IPv6 prefix may no longer send (scope <c>all</c>) or send with the null sender.</summary>
public sealed record IpBlocked
{
    public required Guid EventId { get; init; }

    /// <summary>An IPv4 address, or an IPv6 prefix such as <c>2001:db8::/64</c>.</summary>
    public required string Ip { get; init; }

    public required string Code { get; init; }

    public required string Scope { get; init; }

    public required string Reason { get; init; }

    public required BlockEvidence Evidence { get; init; }

    public required DateTimeOffset BlockedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }
}
