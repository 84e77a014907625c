using Relayguard.Contracts;

namespace Relayguard.Operations.Blocks;

/// <summary>A block to record, taken from an <see cref="AccountBlocked"/> or <see cref="IpBlocked"/> event.</summary>
public sealed record NewBlock
{
    public required Guid EventId { get; init; }

    public required string Kind { get; init; }

    public required string Subject { get; init; }

    public required string Code { get; init; }

    public required string Scope { get; init; }

    public required string Reason { get; init; }

    public required BlockEvidence Evidence { get; init; }

    public required DateTimeOffset BlockedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public static NewBlock From(AccountBlocked message) => new()
    {
        EventId = message.EventId,
        Kind = BlockKinds.Account,
        Subject = BlockSubjects.ForAccount(message.Account, message.OnIp),
        Code = message.Code,
        Scope = message.Scope,
        Reason = message.Reason,
        Evidence = message.Evidence,
        BlockedAt = message.BlockedAt,
        ExpiresAt = message.ExpiresAt,
    };

    public static NewBlock From(IpBlocked message) => new()
    {
        EventId = message.EventId,
        Kind = BlockKinds.Ip,
        Subject = BlockSubjects.NormalizeIp(message.Ip),
        Code = message.Code,
        Scope = message.Scope,
        Reason = message.Reason,
        Evidence = message.Evidence,
        BlockedAt = message.BlockedAt,
        ExpiresAt = message.ExpiresAt,
    };
}
