using MassTransit;
using Relayguard.Contracts;

namespace Relayguard.Gateway.Blocks;

/// <summary>Feeds the gateway's block cache from block events; every gateway instance has its own endpoint.</summary>
public sealed class GatewayAccountBlockedConsumer(BlockCache cache, Telemetry.BlockTraces traces) : IConsumer<AccountBlocked>
{
    public Task Consume(ConsumeContext<AccountBlocked> context)
    {
        var message = context.Message;
        var subject = message.OnIp is null ? message.Account : BlockKinds.AccountOnIp(message.Account, message.OnIp);
        using var activity = Relayguard.ServiceDefaults.RelayguardTelemetry.Source.StartActivity("block-cache.update");
        activity?.SetTag("relayguard.code", message.Code);
        activity?.SetTag("relayguard.scope", message.Scope);
        var previousTrace = traces.Record(BlockKinds.Account, subject, message.Code);
        var applied = cache.Apply(new BlockEntry(BlockKinds.Account, subject, message.Code, message.Scope, message.Reason, message.BlockedAt, message.ExpiresAt, message.EventId));

        // A late copy of a block event that was lifted since changes nothing.
        activity?.SetTag("relayguard.block_applied", applied);
        if (!applied)
        {
            traces.Restore(BlockKinds.Account, subject, message.Code, previousTrace);
        }

        return Task.CompletedTask;
    }
}
