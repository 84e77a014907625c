namespace Relayguard.Contracts;

/// <summary>One recipient of a relayed message failed, either refused by the upstream while relaying or reported later in a DSN.</summary>
public sealed record DeliveryBounced
{
    public required Guid EventId { get; init; }

    public required string GatewayMessageId { get; init; }

    public string? Account { get; init; }

    public required string ClientIp { get; init; }

    public required string RecipientAddress { get; init; }

    public required string RecipientHash { get; init; }

    public int? ReplyCode { get; init; }

    public string? EnhancedStatus { get; init; }

    /// <summary>The upstream's reply or the DSN's diagnostic text.</summary>
    public required string Reply { get; init; }

    /// <summary>True when the failure means the address or its domain does not exist.</summary>
    public required bool AddressInvalid { get; init; }

    public required bool Permanent { get; init; }

    /// <summary>A reason class such as <c>user-unknown</c>, <c>mailbox-full</c> or <c>rate-limited</c>.</summary>
    public required string Reason { get; init; }

    /// <summary>When the message was submitted: CA1 counts the bounce in the window holding this time.</summary>
    public required DateTimeOffset SubmittedAt { get; init; }

    public required DateTimeOffset BouncedAt { get; init; }

    /// <summary><see cref="BounceSources.Relay"/> or <see cref="BounceSources.Dsn"/>.</summary>
    public required string Source { get; init; }
}
