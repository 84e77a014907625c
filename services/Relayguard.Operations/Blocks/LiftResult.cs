namespace Relayguard.Operations.Blocks;

/// <summary>The outcome of a lift: the codes lifted and the blocks that carried them.</summary>
public sealed record LiftResult
{
    public required string Kind { get; init; }

    public required string Subject { get; init; }

    public required IReadOnlyList<string> Codes { get; init; }

    public required string Operator { get; init; }

    public required string Reason { get; init; }

    public required DateTimeOffset LiftedAt { get; init; }

    public required Guid EventId { get; init; }

    public required IReadOnlyList<BlockRecord> Blocks { get; init; }
}
