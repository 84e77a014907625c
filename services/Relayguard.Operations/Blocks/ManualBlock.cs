namespace Relayguard.Operations.Blocks;

/// <summary>A block an operator sets by hand (code OP1), already validated and normalised.</summary>
public sealed record ManualBlock
{
    public required string Kind { get; init; }

    public required string Subject { get; init; }

    /// <summary><c>all</c> or <c>null-sender</c>.</summary>
    public required string Scope { get; init; }

    public required string Reason { get; init; }

    /// <summary>How long the block lasts. Null blocks until an operator lifts it.</summary>
    public TimeSpan? Duration { get; init; }
}
