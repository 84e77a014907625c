using MassTransit;
using Relayguard.Contracts;
using Relayguard.Operations.Blocks;

namespace Relayguard.Operations.Consumers;

/// <summary>Answers a gateway's catch-up request with one page of the active blocks.</summary>
public sealed class ListActiveBlocksConsumer(ActiveBlockPages pages) : IConsumer<ListActiveBlocks>
{
    public Task Consume(ConsumeContext<ListActiveBlocks> context) =>
        context.RespondAsync(pages.List(context.Message));
}
