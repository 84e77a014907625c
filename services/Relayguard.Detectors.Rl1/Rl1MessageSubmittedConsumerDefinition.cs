using MassTransit;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Rl1;

public sealed class Rl1MessageSubmittedConsumerDefinition : ConsumerDefinition<Rl1MessageSubmittedConsumer>
{
    public Rl1MessageSubmittedConsumerDefinition()
    {
        ConcurrentMessageLimit = Rl1Registration.ConcurrentMessageLimit;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<Rl1MessageSubmittedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseRelayguardRedelivery(context);
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(Rl1Registration.RetryIntervals));
    }
}
