namespace Relayguard.Contracts;

/// <summary>
/// A transaction reached MAIL FROM and ended, relayed or refused. Carries no subject, body or
/// plain recipient address: recipients are keyed hashes, enough to count distinct ones.
/// </summary>
public sealed record MessageSubmitted
{
    public required Guid EventId { get; init; }

    public required string GatewayMessageId { get; init; }

    public required DateTimeOffset SubmittedAt { get; init; }

    /// <summary>The authenticated account, or null for a trusted sender without AUTH.</summary>
    public string? Account { get; init; }

    /// <summary>The client address, IPv4-mapped IPv6 already normalised to IPv4.</summary>
    public required string ClientIp { get; init; }

    public required bool NullSender { get; init; }

    /// <summary>HMAC-SHA256 of each lower-cased recipient address with the deployment secret, hex.</summary>
    public required IReadOnlyList<string> RecipientHashes { get; init; }

    public required int RecipientCount { get; init; }

    public required long Size { get; init; }

    public double? SpamScore { get; init; }

    /// <summary>Rspamd's highest-scoring symbols with their scores, such as <c>GTUBE(0)</c>; empty or null when not scanned.</summary>
    public IReadOnlyList<string>? SpamSymbols { get; init; }

    /// <summary>Rspamd's action (<c>reject</c>, <c>soft reject</c>, <c>add header</c>, ...), or <see cref="SpamActions.NotScanned"/>.</summary>
    public required string SpamAction { get; init; }

    /// <summary><see cref="SubmissionOutcomes.Relayed"/> or <see cref="SubmissionOutcomes.Refused"/>.</summary>
    public required string Outcome { get; init; }

    /// <summary>The rule code of a refusal (CA1, CA2, BO1, RL1, OP1), or null.</summary>
    public string? RefusalCode { get; init; }

    /// <summary>The SMTP stage of a refusal: <c>mail</c>, <c>rcpt</c> or <c>data</c>; null when relayed.</summary>
    public string? RefusalStage { get; init; }

    /// <summary>
    /// True when the message was handed to the upstream MTA, also when the upstream then refused every
    /// recipient; CA1 counts the recipients of these messages.
    /// </summary>
    public bool RelayAttempted { get; init; }

    /// <summary>The SMTP reply sent to the client at the end of the transaction.</summary>
    public string? Reply { get; init; }
}
