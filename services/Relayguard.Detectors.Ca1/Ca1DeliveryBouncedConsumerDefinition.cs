using MassTransit;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca1;

public sealed class Ca1DeliveryBouncedConsumerDefinition : ConsumerDefinition<Ca1DeliveryBouncedConsumer>
{
    public Ca1DeliveryBouncedConsumerDefinition()
    {
        ConcurrentMessageLimit = Ca1Registration.ConcurrentMessageLimit;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<Ca1DeliveryBouncedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseRelayguardRedelivery(context);
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(Ca1Registration.RetryIntervals));
    }
}
