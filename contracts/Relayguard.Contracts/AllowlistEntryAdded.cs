namespace Relayguard.Contracts;

/// <summary>
/// An operator exempted a subject from a rule's counting and blocks (or from every rule's). A later entry for the same
/// kind, subject and code replaces this one. A message that the spam scanner scores <c>reject</c> is still refused.
/// </summary>
public sealed record AllowlistEntryAdded
{
    public required Guid EventId { get; init; }

    /// <summary><c>account</c> or <c>ip</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>An account name, an IP address, or a CIDR range such as <c>192.0.2.0/24</c> or <c>2001:db8::/48</c>.</summary>
    public required string Subject { get; init; }

    /// <summary>The rule code the entry exempts from (CA1, CA2, BO1, RL1), or null for every rule.</summary>
    public string? Code { get; init; }

    public required string Reason { get; init; }

    /// <summary>The name of the operator's token.</summary>
    public required string Operator { get; init; }

    public required DateTimeOffset AddedAt { get; init; }

    /// <summary>Null: until an operator removes it.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}
