using MassTransit;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Rl1;

public sealed class Rl1IpUnblockedConsumerDefinition : ConsumerDefinition<Rl1IpUnblockedConsumer>
{
    public Rl1IpUnblockedConsumerDefinition()
    {
        ConcurrentMessageLimit = Rl1Registration.ConcurrentMessageLimit;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<Rl1IpUnblockedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseRelayguardRedelivery(context);
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(Rl1Registration.RetryIntervals));
    }
}
