using MassTransit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Relayguard.Contracts;
using Relayguard.Gateway.Events;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Tests.Events;

/// <summary>
/// The dispatcher publishes the outbox on the bus, but on RabbitMQ only once the queues are declared: the broker drops
/// an event published to an exchange that no queue is bound to yet.
/// </summary>
public sealed class OutboxDispatcherTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("relayguard-outbox-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Dispatcher_NoTopologyService_Publishes()
    {
        var (published, pending) = await DispatchAsync(topology: null, TimeSpan.FromSeconds(15));

        Assert.True(published);
        Assert.Equal(0, pending);
    }

    [Fact]
    public async Task Dispatcher_TopologyNotDeclared_Waits()
    {
        // Never started, so its queues are never declared: nothing may reach the bus.
        using var topology = new RabbitMqTopologyService(
            Options.Create(new BusOptions { RabbitMq = "amqp://guest:guest@127.0.0.1:9/" }),
            NullLogger<RabbitMqTopologyService>.Instance);

        // Nothing arriving can only be watched for a while; a second is plenty once the in-memory bus runs.
        var (published, pending) = await DispatchAsync(topology, TimeSpan.FromSeconds(1));

        Assert.False(published);
        Assert.Equal(1, pending);
    }

    /// <summary>Runs the dispatcher over one event until the bus receives it or <paramref name="wait"/> passes.</summary>
    private async Task<(bool Published, long Pending)> DispatchAsync(RabbitMqTopologyService? topology, TimeSpan wait)
    {
        using var database = new SqliteDatabase(Path.Combine(_directory, "gateway.db"));
        var outbox = new EventOutbox(database, TimeProvider.System);
        var message = new MessageSubmitted
        {
            EventId = Guid.CreateVersion7(),
            GatewayMessageId = "outbox-test",
            SubmittedAt = DateTimeOffset.UtcNow,
            ClientIp = "192.0.2.1",
            NullSender = false,
            RecipientHashes = ["hash"],
            RecipientCount = 1,
            Size = 100,
            SpamAction = SpamActions.NoAction,
            Outcome = SubmissionOutcomes.Relayed,
        };
        outbox.Enqueue(message, message.EventId);

        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bus = Bus.Factory.CreateUsingInMemory(configure => configure.ReceiveEndpoint("outbox-test", endpoint =>
            endpoint.Handler<MessageSubmitted>(_ =>
            {
                received.TrySetResult();
                return Task.CompletedTask;
            })));
        await bus.StartAsync();
        var dispatcher = new OutboxDispatcher(outbox, bus, NullLogger<OutboxDispatcher>.Instance, topology);
        await dispatcher.StartAsync(CancellationToken.None);
        try
        {
            var published = await Task.WhenAny(received.Task, Task.Delay(wait)) == received.Task;
            if (published)
            {
                await WaitForEmptyAsync(outbox);
            }

            return (published, outbox.Pending);
        }
        finally
        {
            await dispatcher.StopAsync(CancellationToken.None);
            await bus.StopAsync();
        }
    }

    private static async Task WaitForEmptyAsync(EventOutbox outbox)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (outbox.Pending > 0)
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
