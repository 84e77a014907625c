using MassTransit;
using Relayguard.Contracts;
using Relayguard.Operations.Blocks;

namespace Relayguard.Operations.Consumers;

/// <summary>Records an IP or prefix block in the registry, once per <c>EventId</c>.</summary>
public sealed class IpBlockedConsumer(IBlockStore store) : IConsumer<IpBlocked>
{
    public Task Consume(ConsumeContext<IpBlocked> context)
    {
        var message = context.Message;
        store.Record(NewBlock.From(message), IBlockStore.EventActor(message.Code));
        return Task.CompletedTask;
    }
}
