using MassTransit;
using Relayguard.Contracts;

namespace Relayguard.Detectors.Rl1;

public sealed class Rl1MessageSubmittedConsumer(Rl1Rule rule) : IConsumer<MessageSubmitted>
{
    public async Task Consume(ConsumeContext<MessageSubmitted> context)
    {
        var block = await rule.RecordSubmissionAsync(context.Message, context.CancellationToken);
        if (block is not null)
        {
            await block.PublishAsync(context, context.CancellationToken);
            await rule.MarkPublishedAsync(block, context.CancellationToken);
        }
    }
}
