using MassTransit;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca2;

public sealed class Ca2MessageSubmittedConsumerDefinition : ConsumerDefinition<Ca2MessageSubmittedConsumer>
{
    public Ca2MessageSubmittedConsumerDefinition()
    {
        ConcurrentMessageLimit = Ca2Registration.ConcurrentMessageLimit;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<Ca2MessageSubmittedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseRelayguardRedelivery(context);
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(Ca2Registration.RetryIntervals));
    }
}
