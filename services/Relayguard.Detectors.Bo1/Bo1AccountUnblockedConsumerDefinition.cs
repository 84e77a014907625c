using MassTransit;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Bo1;

public sealed class Bo1AccountUnblockedConsumerDefinition : ConsumerDefinition<Bo1AccountUnblockedConsumer>
{
    public Bo1AccountUnblockedConsumerDefinition()
    {
        ConcurrentMessageLimit = Bo1Registration.ConcurrentMessageLimit;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<Bo1AccountUnblockedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseRelayguardRedelivery(context);
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(Bo1Registration.RetryIntervals));
    }
}
