using MassTransit;
using Microsoft.Data.Sqlite;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Consumers;

/// <summary>
/// The receive endpoint settings shared by the operations consumers: an endpoint name of this service's own,
/// so no other service's consumer competes for its messages, and retries while SQLite is busy or failing.
/// </summary>
public abstract class OperationsConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    protected OperationsConsumerDefinition(string endpointName)
    {
        EndpointName = endpointName;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseRelayguardRedelivery(context);
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Handle<SqliteException>();
            retry.Intervals(100, 500, 1_000, 5_000, 15_000);
        });
    }
}
