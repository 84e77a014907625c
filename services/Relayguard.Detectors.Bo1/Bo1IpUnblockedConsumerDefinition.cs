using MassTransit;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Bo1;

public sealed class Bo1IpUnblockedConsumerDefinition : ConsumerDefinition<Bo1IpUnblockedConsumer>
{
    public Bo1IpUnblockedConsumerDefinition()
    {
        ConcurrentMessageLimit = Bo1Registration.ConcurrentMessageLimit;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<Bo1IpUnblockedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseRelayguardRedelivery(context);
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(Bo1Registration.RetryIntervals));
    }
}
