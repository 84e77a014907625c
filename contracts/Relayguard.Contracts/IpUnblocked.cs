namespace Relayguard.Contracts;

public sealed record IpUnblocked
{
    public required Guid EventId { get; init; }

    public required string Ip { get; init; }

    public required IReadOnlyList<string> Codes { get; init; }

    public required string Operator { get; init; }

    public required string Reason { get; init; }

    public required DateTimeOffset UnblockedAt { get; init; }
}
