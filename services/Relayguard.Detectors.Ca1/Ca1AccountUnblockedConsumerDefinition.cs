using MassTransit;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca1;

public sealed class Ca1AccountUnblockedConsumerDefinition : ConsumerDefinition<Ca1AccountUnblockedConsumer>
{
    public Ca1AccountUnblockedConsumerDefinition()
    {
        ConcurrentMessageLimit = Ca1Registration.ConcurrentMessageLimit;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<Ca1AccountUnblockedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseRelayguardRedelivery(context);
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(Ca1Registration.RetryIntervals));
    }
}
