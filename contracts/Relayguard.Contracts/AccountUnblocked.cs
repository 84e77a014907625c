namespace Relayguard.Contracts;

public sealed record AccountUnblocked
{
    public required Guid EventId { get; init; }

    public required string Account { get; init; }

    public string? OnIp { get; init; }

    public required IReadOnlyList<string> Codes { get; init; }

    public required string Operator { get; init; }

    public required string Reason { get; init; }

    public required DateTimeOffset UnblockedAt { get; init; }
}
