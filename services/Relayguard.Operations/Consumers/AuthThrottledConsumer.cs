using System.Globalization;
using MassTransit;
using Relayguard.Contracts;
using Relayguard.Operations.Blocks;

namespace Relayguard.Operations.Consumers;

/// <summary>
/// Records a gateway's AUTH throttle in the registry as a block with code AUTH, so that operators see it in the block
/// list and can lift it: on the address (kind ip), or on the user name from that address (kind account, <c>user/address</c>).
/// </summary>
public sealed class AuthThrottledConsumer(IBlockStore store) : IConsumer<AuthThrottled>
{
    public Task Consume(ConsumeContext<AuthThrottled> context)
    {
        var message = context.Message;
        var block = new NewBlock
        {
            EventId = message.EventId,
            Kind = message.UserName is null ? BlockKinds.Ip : BlockKinds.Account,
            Subject = message.UserName is null ? BlockSubjects.NormalizeIp(message.ClientIp) : BlockSubjects.ForAccount(message.UserName, message.ClientIp),
            Code = AuthThrottled.Code,
            Scope = AuthThrottled.Scope,
            Reason = message.Reason,
            Evidence = new BlockEvidence
            {
                Summary = string.Create(CultureInfo.InvariantCulture, $"AUTH is answered with 454 4.7.0 until {message.ExpiresAt:yyyy-MM-dd HH:mm:ss} UTC on gateway {message.Gateway ?? "unknown"}: {message.Reason}."),
                Counts = new Dictionary<string, double>
                {
                    ["failures"] = message.Failures,
                    ["distinctUserNames"] = message.DistinctUserNames,
                    ["windowSeconds"] = message.WindowSeconds,
                },
            },
            BlockedAt = message.ThrottledAt,
            ExpiresAt = message.ExpiresAt,
        };
        // NOTE: the lift API accepts only rule codes in "code", so an operator ends a throttle with a lift that names no code.
        store.Record(block, $"gateway:{AuthThrottled.Code}");
        return Task.CompletedTask;
    }
}
