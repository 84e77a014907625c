namespace Relayguard.Operations.Blocks;

/// <summary>An operator's lift of one subject's blocks, with the id of the unblock event that announces it.</summary>
public sealed record BlockLift
{
    public required string Kind { get; init; }

    public required string Subject { get; init; }

    /// <summary>The name of the operator's token.</summary>
    public required string Operator { get; init; }

    public required string Reason { get; init; }

    public required Guid EventId { get; init; }
}
