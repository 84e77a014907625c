using MassTransit;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca1;

public sealed class Ca1MessageSubmittedConsumerDefinition : ConsumerDefinition<Ca1MessageSubmittedConsumer>
{
    public Ca1MessageSubmittedConsumerDefinition()
    {
        ConcurrentMessageLimit = Ca1Registration.ConcurrentMessageLimit;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<Ca1MessageSubmittedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseRelayguardRedelivery(context);
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(Ca1Registration.RetryIntervals));
    }
}
