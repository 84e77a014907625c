using MassTransit;
using Relayguard.Contracts;
using Relayguard.Operations.Blocks;

namespace Relayguard.Operations.Consumers;

/// <summary>
/// Applies an IP lift that another process published. Lifts made through this service's API are already
/// recorded and marked as processed, so they are skipped.
/// </summary>
public sealed class IpUnblockedConsumer(IBlockStore store) : IConsumer<IpUnblocked>
{
    public Task Consume(ConsumeContext<IpUnblocked> context)
    {
        var message = context.Message;
        var lift = new BlockLift
        {
            Kind = BlockKinds.Ip,
            Subject = BlockSubjects.NormalizeIp(message.Ip),
            Operator = message.Operator,
            Reason = message.Reason,
            EventId = message.EventId,
        };
        store.ApplyLift(lift, message.Codes, message.UnblockedAt);
        return Task.CompletedTask;
    }
}
