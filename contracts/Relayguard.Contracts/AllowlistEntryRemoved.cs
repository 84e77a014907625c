namespace Relayguard.Contracts;

/// <summary>An operator removed the allowlist entry of one kind, subject and code, so the rule counts and blocks the subject again.</summary>
public sealed record AllowlistEntryRemoved
{
    public required Guid EventId { get; init; }

    /// <summary><c>account</c> or <c>ip</c>.</summary>
    public required string Kind { get; init; }

    public required string Subject { get; init; }

    /// <summary>The code of the removed entry, or null for the entry that covered every rule.</summary>
    public string? Code { get; init; }

    /// <summary>The name of the operator's token.</summary>
    public required string Operator { get; init; }

    public required DateTimeOffset RemovedAt { get; init; }
}
