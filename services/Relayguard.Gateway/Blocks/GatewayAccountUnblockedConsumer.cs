using MassTransit;
using Relayguard.Contracts;

namespace Relayguard.Gateway.Blocks;

public sealed class GatewayAccountUnblockedConsumer(BlockCache cache) : IConsumer<AccountUnblocked>
{
    public Task Consume(ConsumeContext<AccountUnblocked> context)
    {
        var message = context.Message;
        var subject = message.OnIp is null ? message.Account : BlockKinds.AccountOnIp(message.Account, message.OnIp);
        cache.Lift(BlockKinds.Account, subject, message.Codes.ToList(), message.UnblockedAt);
        return Task.CompletedTask;
    }
}
