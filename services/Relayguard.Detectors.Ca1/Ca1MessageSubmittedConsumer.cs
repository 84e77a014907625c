using MassTransit;
using Relayguard.Contracts;

namespace Relayguard.Detectors.Ca1;

public sealed class Ca1MessageSubmittedConsumer(Ca1Rule rule, Ca1EarlyWarning earlyWarning) : IConsumer<MessageSubmitted>
{
    public async Task Consume(ConsumeContext<MessageSubmitted> context)
    {
        var counted = await rule.CountSubmissionAsync(context.Message, context.CancellationToken);
        if (counted?.Block is { } block)
        {
            // Closed before the block goes out, so a concurrent event of the window cannot warn after it.
            earlyWarning.RecordBlock(counted);
            await block.PublishAsync(context, context.CancellationToken);
            await rule.MarkPublishedAsync(block, context.CancellationToken);
        }

        if (await earlyWarning.CheckAsync(counted, context.Message.Account!, context.Message.SubmittedAt, context.CancellationToken) is { } warning)
        {
            await context.Publish(warning, publish => publish.MessageId = warning.EventId, context.CancellationToken);
            earlyWarning.MarkPublished(warning);
        }
    }
}
