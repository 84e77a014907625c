using MassTransit;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Blocks;

public sealed class GatewayIpBlockedConsumer(BlockCache cache) : IConsumer<IpBlocked>
{
    public Task Consume(ConsumeContext<IpBlocked> context)
    {
        var message = context.Message;
        var subject = IpKeys.TryNormalizeSubject(message.Ip, out var normalized) ? normalized : message.Ip;
        cache.Apply(new BlockEntry(BlockKinds.Ip, subject, message.Code, message.Scope, message.Reason, message.BlockedAt, message.ExpiresAt, message.EventId));
        return Task.CompletedTask;
    }
}
