using MassTransit;
using Relayguard.Operations.Consumers;

namespace Relayguard.Operations;

public static class OperationsBusRegistrationExtensions
{
    /// <summary>
    /// Adds the consumers that keep the block registry current from block events and from lifts that other processes
    /// publish, and the one that responds to a gateway's catch-up request.
    /// </summary>
    public static IBusRegistrationConfigurator AddOperationsConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<AccountBlockedConsumer, AccountBlockedConsumerDefinition>();
        bus.AddConsumer<IpBlockedConsumer, IpBlockedConsumerDefinition>();
        bus.AddConsumer<AccountUnblockedConsumer, AccountUnblockedConsumerDefinition>();
        bus.AddConsumer<IpUnblockedConsumer, IpUnblockedConsumerDefinition>();
        bus.AddConsumer<ListActiveBlocksConsumer, ListActiveBlocksConsumerDefinition>();
        bus.AddConsumer<AuthThrottledConsumer, AuthThrottledConsumerDefinition>();
        return bus;
    }
}
