using MassTransit;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Bo1;

public sealed class Bo1MessageSubmittedConsumerDefinition : ConsumerDefinition<Bo1MessageSubmittedConsumer>
{
    public Bo1MessageSubmittedConsumerDefinition()
    {
        ConcurrentMessageLimit = Bo1Registration.ConcurrentMessageLimit;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<Bo1MessageSubmittedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseRelayguardRedelivery(context);
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(Bo1Registration.RetryIntervals));
    }
}
