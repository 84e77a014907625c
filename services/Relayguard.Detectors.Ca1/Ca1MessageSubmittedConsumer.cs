using MassTransit;
using Relayguard.Contracts;

namespace Relayguard.Detectors.Ca1;

public sealed class Ca1MessageSubmittedConsumer(Ca1Rule rule, Ca1EarlyWarning earlyWarning) : IConsumer<MessageSubmitted>
{
    public async Task Consume(ConsumeContext<MessageSubmitted> context)
    {
        var block = await rule.RecordSubmissionAsync(context.Message, context.CancellationToken);
        if (block is not null)
        {
            await block.PublishAsync(context, context.CancellationToken);
            await rule.MarkPublishedAsync(block, context.CancellationToken);
        }

        if (await earlyWarning.CheckAsync(context.Message, context.CancellationToken) is { } warning)
        {
            await context.Publish(warning, publish => publish.MessageId = warning.EventId, context.CancellationToken);
            earlyWarning.MarkPublished(warning);
        }
    }
}
