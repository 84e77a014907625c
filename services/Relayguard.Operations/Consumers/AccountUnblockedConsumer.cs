using MassTransit;
using Relayguard.Contracts;
using Relayguard.Operations.Blocks;

namespace Relayguard.Operations.Consumers;

/// <summary>
/// Applies an account lift that another process published. Lifts made through this service's API are
/// already recorded and marked as processed, so they are skipped.
/// </summary>
public sealed class AccountUnblockedConsumer(IBlockStore store) : IConsumer<AccountUnblocked>
{
    public Task Consume(ConsumeContext<AccountUnblocked> context)
    {
        var message = context.Message;
        var lift = new BlockLift
        {
            Kind = BlockKinds.Account,
            Subject = BlockSubjects.ForAccount(message.Account, message.OnIp),
            Operator = message.Operator,
            Reason = message.Reason,
            EventId = message.EventId,
        };
        store.ApplyLift(lift, message.Codes, message.UnblockedAt);
        return Task.CompletedTask;
    }
}
