namespace Relayguard.Operations.Allowlist;

/// <summary>An allowlist entry as the API returns it, with its state at the time of the request.</summary>
public sealed record AllowlistEntry
{
    public required long Id { get; init; }

    /// <summary><c>account</c> or <c>ip</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>An account name, an IP address or a CIDR range.</summary>
    public required string Subject { get; init; }

    /// <summary>The rule the entry exempts from, or null for every rule.</summary>
    public string? Code { get; init; }

    public required string Reason { get; init; }

    /// <summary><see cref="AllowlistStates.Active"/>, <see cref="AllowlistStates.Expired"/> or <see cref="AllowlistStates.Removed"/>.</summary>
    public required string State { get; init; }

    public required DateTimeOffset AddedAt { get; init; }

    /// <summary>The name of the operator's token.</summary>
    public required string AddedBy { get; init; }

    /// <summary>Null when the entry lasts until an operator removes it.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>When the entry was removed, or replaced by a newer entry for the same subject and code.</summary>
    public DateTimeOffset? RemovedAt { get; init; }

    public string? RemovedBy { get; init; }

    /// <summary>The id of the <c>AllowlistEntryAdded</c> event that announced the entry.</summary>
    public required Guid EventId { get; init; }
}
