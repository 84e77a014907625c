using System.Text.Json.Serialization;
using Relayguard.Contracts;

namespace Relayguard.Operations.Blocks;

/// <summary>A recorded block as the API returns it: one row of the <c>blocks</c> table with its state at the time of the request.</summary>
public sealed record BlockRecord
{
    public required long Id { get; init; }

    public required string Kind { get; init; }

    public required string Subject { get; init; }

    /// <summary>The address of an account blocked on one address (<c>erin/100.64.0.7</c>), or null for any other block.</summary>
    public string? OnIp => Kind == BlockKinds.Account ? BlockSubjects.SplitAccount(Subject).OnIp : null;

    public required string Code { get; init; }

    public required string Scope { get; init; }

    public required string Reason { get; init; }

    /// <summary><see cref="BlockStates.Active"/>, <see cref="BlockStates.Expired"/> or <see cref="BlockStates.Lifted"/>.</summary>
    public required string State { get; init; }

    public required DateTimeOffset BlockedAt { get; init; }

    /// <summary>Null when the block lasts until an operator lifts it.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>The operator's token name for a manual block, <c>detector:CODE</c> for a rule's block.</summary>
    public required string SetBy { get; init; }

    public DateTimeOffset? LiftedAt { get; init; }

    public string? LiftedBy { get; init; }

    public string? LiftReason { get; init; }

    public required string EvidenceSummary { get; init; }

    /// <summary>The full evidence, present when one subject's blocks are shown and left out of lists.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BlockEvidence? Evidence { get; init; }

    /// <summary>When the sample addresses were deleted from the evidence, some time after the block ended.</summary>
    public DateTimeOffset? EvidenceSamplesDeletedAt { get; init; }

    public required Guid EventId { get; init; }

    /// <summary>Warnings about the request that set the block, such as an account the local store does not have. Only in the response of a manual block.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Warnings { get; init; }
}
