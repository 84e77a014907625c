using MassTransit;
using Relayguard.Contracts;
using Relayguard.Operations.Consumers;

namespace Relayguard.Operations;

public static class OperationsBusRegistrationExtensions
{
    /// <summary>
    /// Adds the consumers that keep the block registry current from block events and from lifts that other processes
    /// publish, the consumer of early warnings, the responder to a gateway's catch-up request, and the request client
    /// that asks the CA1 detector for an account's counts.
    /// </summary>
    public static IBusRegistrationConfigurator AddOperationsConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<AccountBlockedConsumer, AccountBlockedConsumerDefinition>();
        bus.AddConsumer<IpBlockedConsumer, IpBlockedConsumerDefinition>();
        bus.AddConsumer<AccountUnblockedConsumer, AccountUnblockedConsumerDefinition>();
        bus.AddConsumer<IpUnblockedConsumer, IpUnblockedConsumerDefinition>();
        bus.AddConsumer<ListActiveBlocksConsumer, ListActiveBlocksConsumerDefinition>();
        bus.AddConsumer<AuthThrottledConsumer, AuthThrottledConsumerDefinition>();
        bus.AddConsumer<AccountWarnedConsumer, AccountWarnedConsumerDefinition>();
        bus.AddRequestClient<GetCa1Counts>(RequestTimeout.After(s: 5));
        return bus;
    }
}
