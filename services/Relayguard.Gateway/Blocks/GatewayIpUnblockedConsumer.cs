using MassTransit;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Blocks;

public sealed class GatewayIpUnblockedConsumer(BlockCache cache) : IConsumer<IpUnblocked>
{
    public Task Consume(ConsumeContext<IpUnblocked> context)
    {
        var message = context.Message;
        var subject = IpKeys.TryNormalizeSubject(message.Ip, out var normalized) ? normalized : message.Ip;
        cache.Lift(BlockKinds.Ip, subject, message.Codes.ToList(), message.UnblockedAt);
        return Task.CompletedTask;
    }
}
