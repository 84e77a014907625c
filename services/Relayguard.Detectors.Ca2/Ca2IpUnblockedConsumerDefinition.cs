using MassTransit;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca2;

public sealed class Ca2IpUnblockedConsumerDefinition : ConsumerDefinition<Ca2IpUnblockedConsumer>
{
    public Ca2IpUnblockedConsumerDefinition()
    {
        ConcurrentMessageLimit = Ca2Registration.ConcurrentMessageLimit;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<Ca2IpUnblockedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseRelayguardRedelivery(context);
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(Ca2Registration.RetryIntervals));
    }
}
