using System.Text.Json;
using Relayguard.Contracts;
using Relayguard.Operations.Audit;

namespace Relayguard.Operations.Blocks;

/// <summary>The audit entries and webhook events of block changes, the same in every <see cref="IBlockStore"/>.</summary>
internal static class BlockChanges
{
    public static string BlockEventType(string kind) => kind == BlockKinds.Account ? nameof(AccountBlocked) : nameof(IpBlocked);

    public static string LiftEventType(string kind) => kind == BlockKinds.Account ? nameof(AccountUnblocked) : nameof(IpUnblocked);

    public static AuditEntry BlockAudit(NewBlock block, string actor, DateTimeOffset now) => new()
    {
        At = now,
        Actor = actor,
        Action = AuditActions.Block,
        Kind = block.Kind,
        Subject = block.Subject,
        Code = block.Code,
        Reason = block.Reason,
        Detail = JsonSerializer.SerializeToElement(
            new { block.Scope, block.ExpiresAt, block.EventId, block.Evidence.Summary },
            Api.UtcMillisecondsConverter.WebOptions),
    };

    /// <summary>The webhook data of a block. It leaves out the sample addresses, which must be deletable 90 days after the lift; the path leads to them.</summary>
    public static object BlockWebhook(NewBlock block, string actor) => new
    {
        block.Kind,
        block.Subject,
        block.Code,
        block.Scope,
        block.Reason,
        block.BlockedAt,
        block.ExpiresAt,
        SetBy = actor,
        Evidence = new { block.Evidence.Summary, block.Evidence.Counts, block.Evidence.TraceId },
        Path = $"/api/blocks/{block.Kind}/{Uri.EscapeDataString(block.Subject)}",
    };

    /// <summary>
    /// The lift that ends the active block of the same subject, code and scope when a new manual block replaces it. No
    /// bus event carries it, because the gateways replace a block of the same code and scope when the new block's event
    /// arrives. Its id is its own, for the audit entry and the webhook, whose receivers drop a repeated id.
    /// </summary>
    public static BlockLift Replacement(NewBlock block, string actor) => new()
    {
        Kind = block.Kind,
        Subject = block.Subject,
        Operator = actor,
        Reason = $"Replaced by a new {block.Code} block: {block.Reason}",
        EventId = Guid.CreateVersion7(block.BlockedAt),
    };

    /// <summary>The audit entry of the lift of one code, naming the blocks that carried it.</summary>
    public static AuditEntry LiftAudit(BlockLift lift, string code, IReadOnlyList<BlockRecord> lifted, DateTimeOffset now) => new()
    {
        At = now,
        Actor = lift.Operator,
        Action = AuditActions.Lift,
        Kind = lift.Kind,
        Subject = lift.Subject,
        Code = code,
        Reason = lift.Reason,
        Detail = JsonSerializer.SerializeToElement(
            new { BlockIds = lifted.Where(block => block.Code == code).Select(block => block.Id), lift.EventId },
            Api.UtcMillisecondsConverter.WebOptions),
    };

    public static object LiftWebhook(BlockLift lift, IReadOnlyList<BlockRecord> lifted, DateTimeOffset now) => new
    {
        lift.Kind,
        lift.Subject,
        Codes = lifted.Select(block => block.Code).Distinct().ToList(),
        lift.Operator,
        lift.Reason,
        LiftedAt = now,
        BlockIds = lifted.Select(block => block.Id).ToList(),
    };
}
