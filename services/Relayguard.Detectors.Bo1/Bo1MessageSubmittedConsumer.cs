using MassTransit;
using Relayguard.Contracts;

namespace Relayguard.Detectors.Bo1;

public sealed class Bo1MessageSubmittedConsumer(Bo1Rule rule) : IConsumer<MessageSubmitted>
{
    public async Task Consume(ConsumeContext<MessageSubmitted> context)
    {
        var blocks = await rule.RecordSubmissionAsync(context.Message, context.CancellationToken);
        foreach (var block in blocks)
        {
            await block.PublishAsync(context, context.CancellationToken);
            await rule.MarkPublishedAsync(block, context.CancellationToken);
        }
    }
}
