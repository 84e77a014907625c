using MassTransit;
using Relayguard.Contracts;

namespace Relayguard.Detectors.Ca1;

public sealed class Ca1MessageSubmittedConsumer(Ca1Rule rule, Ca1EarlyWarning earlyWarning) : IConsumer<MessageSubmitted>
{
    public async Task Consume(ConsumeContext<MessageSubmitted> context)
    {
        await earlyWarning.ConsumeAsync(context, context.Message.Account, context.Message.SubmittedAt, cancellationToken => rule.CountSubmissionAsync(context.Message, cancellationToken));
    }
}
