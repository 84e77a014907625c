namespace Relayguard.Operations.Blocks;

/// <summary>
/// The outcome of a lift: the codes lifted and the blocks that carried them. A lift of a plain account name also
/// lifts the account's blocks on single addresses, each subject with an unblock event of its own.
/// </summary>
public sealed record LiftResult
{
    public required string Kind { get; init; }

    /// <summary>The subject the operator named.</summary>
    public required string Subject { get; init; }

    /// <summary>The subjects whose blocks were lifted: the named one, and for an account its per-address subjects (<c>erin/100.64.0.7</c>).</summary>
    public required IReadOnlyList<string> Subjects { get; init; }

    public required IReadOnlyList<string> Codes { get; init; }

    public required string Operator { get; init; }

    public required string Reason { get; init; }

    public required DateTimeOffset LiftedAt { get; init; }

    /// <summary>The id of the first unblock event; <see cref="EventIds"/> has one per subject.</summary>
    public required Guid EventId { get; init; }

    public required IReadOnlyList<Guid> EventIds { get; init; }

    /// <summary>Every lifted block, with its subject and, for an account on one address, <see cref="BlockRecord.OnIp"/>.</summary>
    public required IReadOnlyList<BlockRecord> Blocks { get; init; }
}
