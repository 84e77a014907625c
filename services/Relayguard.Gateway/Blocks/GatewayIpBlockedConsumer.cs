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
        var previousTrace = traces.Record(BlockKinds.Ip, subject, message.Code);
        var applied = cache.Apply(new BlockEntry(BlockKinds.Ip, subject, message.Code, message.Scope, message.Reason, message.BlockedAt, message.ExpiresAt, message.EventId));

        // A late copy of a block event that was lifted since changes nothing.
        activity?.SetTag("relayguard.block_applied", applied);
        if (!applied)
        {
            traces.Restore(BlockKinds.Ip, subject, message.Code, previousTrace);
        }

        return Task.CompletedTask;
    }
}
