using Relayguard.ServiceDefaults;
using Relayguard.Gateway.Session;
using MassTransit;
using Relayguard.Contracts;
using Relayguard.Gateway.Blocks;

namespace Relayguard.Gateway.Host;

/// <summary>The gateway's side of the bus: its own block queue, and the request client of the catch-up.</summary>
internal static class GatewayBus
{
    /// <summary>Retry delays while the local SQLite file is busy.</summary>
    private static readonly TimeSpan[] RetryIntervals = [TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)];

    /// <summary>
    /// Puts the four block consumers on one endpoint named after the instance. On RabbitMQ the queue is durable, so
    /// events wait for a restarting instance, and expires after <paramref name="queueExpiry"/> without a consumer,
    /// so a removed instance leaves nothing behind.
    /// </summary>
    public static void AddGatewayInstanceConsumers(this IBusRegistrationConfigurator bus, string queueName, TimeSpan queueExpiry)
    {
        bus.AddConsumer<GatewayAccountBlockedConsumer>().Endpoint(endpoint => endpoint.Name = queueName);
        bus.AddConsumer<GatewayIpBlockedConsumer>().Endpoint(endpoint => endpoint.Name = queueName);
        bus.AddConsumer<GatewayAccountUnblockedConsumer>().Endpoint(endpoint => endpoint.Name = queueName);
        bus.AddConsumer<GatewayIpUnblockedConsumer>().Endpoint(endpoint => endpoint.Name = queueName);
        bus.AddConsumer<DetectorAllowlistConsumer<GatewaySessionHandler>>().Endpoint(endpoint => endpoint.Name = queueName);
        bus.AddConfigureEndpointsCallback((_, name, endpoint) =>
        {
            if (name != queueName)
            {
                return;
            }

            endpoint.UseMessageRetry(retry => retry.Intervals(RetryIntervals));
            if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbitMq)
            {
                rabbitMq.SetQueueArgument("x-expires", (long)queueExpiry.TotalMilliseconds);
            }
        });
        bus.AddRequestClient<ListActiveBlocks>();
    }
}
