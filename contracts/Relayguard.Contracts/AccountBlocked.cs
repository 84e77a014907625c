namespace Relayguard.Contracts;

/// <summary>An account may no longer send (scope <c>all</c>) or send with the null sender (scope <c>null-sender</c>).</summary>
public sealed record AccountBlocked
{
    public required Guid EventId { get; init; }

    public required string Account { get; init; }

    /// <summary>Set when only this account on this address is blocked (CA2 in a shared range).</summary>
    public string? OnIp { get; init; }

    public required string Code { get; init; }

    public required string Scope { get; init; }

    public required string Reason { get; init; }

    public required BlockEvidence Evidence { get; init; }

    public required DateTimeOffset BlockedAt { get; init; }

    /// <summary>Null: until an operator lifts it.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}
