using MassTransit;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Blocks;

public sealed class GatewayIpBlockedConsumer(BlockCache cache, Telemetry.BlockTraces traces) : IConsumer<IpBlocked>
{
    public Task Consume(ConsumeContext<IpBlocked> context)
    {
        var message = context.Message;
        var subject = IpKeys.TryNormalizeSubject(message.Ip, out var normalized) ? normalized : message.Ip;
        using var activity = Relayguard.ServiceDefaults.RelayguardTelemetry.Source.StartActivity("block-cache.update");
        activity?.SetTag("relayguard.code", message.Code);
        activity?.SetTag("relayguard.scope", message.Scope);
        cache.Apply(new BlockEntry(BlockKinds.Ip, subject, message.Code, message.Scope, message.Reason, message.BlockedAt, message.ExpiresAt, message.EventId));
        traces.Record(BlockKinds.Ip, subject, message.Code);
        return Task.CompletedTask;
    }
}
