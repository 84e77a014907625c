using MassTransit;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Rl1;

public sealed class Rl1AccountUnblockedConsumerDefinition : ConsumerDefinition<Rl1AccountUnblockedConsumer>
{
    public Rl1AccountUnblockedConsumerDefinition()
    {
        ConcurrentMessageLimit = Rl1Registration.ConcurrentMessageLimit;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<Rl1AccountUnblockedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseRelayguardRedelivery(context);
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(Rl1Registration.RetryIntervals));
    }
}
