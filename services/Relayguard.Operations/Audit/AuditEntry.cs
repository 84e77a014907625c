using System.Text.Json;

namespace Relayguard.Operations.Audit;

/// <summary>One change in the audit log: who made it, what it changed, when and why.</summary>
public sealed record AuditEntry
{
    /// <summary>The entry number, assigned by the store and ignored when an entry is appended.</summary>
    public long Id { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>The operator's token name, <c>detector:CODE</c> for a rule's own block, or the local program that made the change.</summary>
    public required string Actor { get; init; }

    /// <summary>One of <see cref="AuditActions"/>.</summary>
    public required string Action { get; init; }

    public string? Kind { get; init; }

    public string? Subject { get; init; }

    public string? Code { get; init; }

    public string? Reason { get; init; }

    /// <summary>Facts specific to the action, such as a block's scope and expiry or a token's role.</summary>
    public JsonElement? Detail { get; init; }
}
