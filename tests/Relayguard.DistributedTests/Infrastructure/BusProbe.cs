using System.Collections.Concurrent;
using MassTransit;
using Relayguard.Contracts;

namespace Relayguard.DistributedTests.Infrastructure;

/// <summary>
/// The test's own bus connection: publishes events as a gateway would, and records every block event and
/// submission it receives on a durable queue of its own, so it also counts what arrives after a broker restart.
/// </summary>
public sealed class BusProbe : IAsyncDisposable
{
    private readonly IBusControl _bus;

    private BusProbe(IBusControl bus)
    {
        _bus = bus;
    }

    public ConcurrentQueue<AccountBlocked> AccountBlocks { get; } = new();

    public ConcurrentQueue<IpBlocked> IpBlocks { get; } = new();

    public ConcurrentQueue<MessageSubmitted> Submissions { get; } = new();

    public static async Task<BusProbe> StartAsync(string busUri, string queue = "test-probe")
    {
        BusProbe? probe = null;
        var bus = Bus.Factory.CreateUsingRabbitMq(transport =>
        {
            transport.Host(new Uri(busUri));
            transport.ReceiveEndpoint(queue, endpoint =>
            {
                endpoint.Handler<AccountBlocked>(context => Record(probe!.AccountBlocks, context.Message));
                endpoint.Handler<IpBlocked>(context => Record(probe!.IpBlocks, context.Message));
                endpoint.Handler<MessageSubmitted>(context => Record(probe!.Submissions, context.Message));
            });
        });
        probe = new BusProbe(bus);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await bus.StartAsync(timeout.Token);
        return probe;
    }

    /// <summary>Publishes with the event id as the message id, as the gateway's outbox does.</summary>
    public Task PublishAsync<T>(T message, Guid eventId)
        where T : class => _bus.Publish(message, context => context.MessageId = eventId);

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _bus.StopAsync(timeout.Token);
    }

    private static Task Record<T>(ConcurrentQueue<T> queue, T message)
    {
        queue.Enqueue(message);
        return Task.CompletedTask;
    }
}
