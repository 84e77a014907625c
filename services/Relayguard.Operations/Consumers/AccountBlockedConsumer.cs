using MassTransit;
using Relayguard.Contracts;
using Relayguard.Operations.Blocks;

namespace Relayguard.Operations.Consumers;

/// <summary>Records an account block in the registry, once per <c>EventId</c>.</summary>
public sealed class AccountBlockedConsumer(IBlockStore store) : IConsumer<AccountBlocked>
{
    public Task Consume(ConsumeContext<AccountBlocked> context)
    {
        var message = context.Message;
        store.Record(NewBlock.From(message), IBlockStore.EventActor(message.Code));
        return Task.CompletedTask;
    }
}
