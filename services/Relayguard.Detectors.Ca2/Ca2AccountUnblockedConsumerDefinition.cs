using MassTransit;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca2;

public sealed class Ca2AccountUnblockedConsumerDefinition : ConsumerDefinition<Ca2AccountUnblockedConsumer>
{
    public Ca2AccountUnblockedConsumerDefinition()
    {
        ConcurrentMessageLimit = Ca2Registration.ConcurrentMessageLimit;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<Ca2AccountUnblockedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseRelayguardRedelivery(context);
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(Ca2Registration.RetryIntervals));
    }
}
