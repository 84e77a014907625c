using MassTransit;
using Relayguard.Contracts;

namespace Relayguard.Detectors.Ca1;

public sealed class Ca1DeliveryBouncedConsumer(Ca1Rule rule, Ca1EarlyWarning earlyWarning) : IConsumer<DeliveryBounced>
{
    public async Task Consume(ConsumeContext<DeliveryBounced> context)
    {
        await earlyWarning.ConsumeAsync(context, context.Message.Account, context.Message.SubmittedAt, cancellationToken => rule.CountBounceAsync(context.Message, cancellationToken));
    }
}
