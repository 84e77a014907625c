using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Relayguard.DistributedTests.Infrastructure;
using Relayguard.ServiceDefaults;

namespace Relayguard.DistributedTests;

/// <summary>Retry, then delayed redelivery through the delay queues, then the error queue, on a real broker.</summary>
[Collection(DistributedCollection.Name)]
public sealed class RedeliveryTests(BrokerFixture fixture)
{
    [Fact]
    public async Task TransientFailure_IsRedelivered()
    {
        await using var deployment = await Deployment.CreateAsync(fixture.Broker);
        var attempts = new FlakyConsumer.Attempts(FailuresBeforeSuccess: 3);
        using var host = await StartHostAsync(deployment, attempts);

        var id = Guid.NewGuid();
        await host.Services.GetRequiredService<IBus>().Publish(new RedeliveryCheck { Id = id });

        await Wait.UntilAsync(() => attempts.Succeeded.Contains(id), "the message to succeed after a redelivery");
        Assert.Equal(4, attempts.Count(id));
        Assert.Equal(1, attempts.LastRedelivery[id]);
        Assert.Equal(0L, (await fixture.Broker.QueueAsync(deployment.VirtualHost, "flaky_error"))?.Messages ?? 0L);
    }

    [Fact]
    public async Task PermanentFailure_MovesToErrorQueue()
    {
        await using var deployment = await Deployment.CreateAsync(fixture.Broker);
        var attempts = new FlakyConsumer.Attempts(FailuresBeforeSuccess: int.MaxValue);
        using var host = await StartHostAsync(deployment, attempts);

        var id = Guid.NewGuid();
        await host.Services.GetRequiredService<IBus>().Publish(new RedeliveryCheck { Id = id });

        await Wait.UntilAsync(async () => (await fixture.Broker.QueueAsync(deployment.VirtualHost, "flaky_error"))?.Messages == 1, "the message in the error queue");
        Assert.Equal(6, attempts.Count(id));
        Assert.Equal(2, attempts.LastRedelivery[id]);
        Assert.DoesNotContain(id, attempts.Succeeded);
    }

    private static async Task<IHost> StartHostAsync(Deployment deployment, FlakyConsumer.Attempts attempts)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bus:RabbitMq"] = deployment.BusUri,
            ["Bus:RedeliveryIntervals:0"] = "1s",
            ["Bus:RedeliveryIntervals:1"] = "2s",
        });
        builder.Services.AddSingleton(attempts);
        builder.Services.AddRelayguardBus(builder.Configuration, bus => bus.AddConsumer<FlakyConsumer, FlakyConsumerDefinition>());
        var host = builder.Build();
        await host.StartAsync();
        await Wait.UntilAsync(async () => (await deployment.Broker.QueueAsync(deployment.VirtualHost, "flaky"))?.Consumers > 0, "the flaky consumer");
        return host;
    }
}

public sealed record RedeliveryCheck
{
    public required Guid Id { get; init; }
}

/// <summary>Fails a set number of attempts, then succeeds, and records each attempt's redelivery count.</summary>
public sealed class FlakyConsumer(FlakyConsumer.Attempts attempts) : IConsumer<RedeliveryCheck>
{
    public Task Consume(ConsumeContext<RedeliveryCheck> context)
    {
        var id = context.Message.Id;
        var attempt = attempts.Record(id, context.ReceiveContext.TransportHeaders.Get<int>(DelayedRedelivery.CountHeader) ?? 0);
        if (attempt <= attempts.FailuresBeforeSuccess)
        {
            throw new InvalidOperationException($"Attempt {attempt} fails on purpose.");
        }

        attempts.Succeeded.Add(id);
        return Task.CompletedTask;
    }

    public sealed class Attempts(int FailuresBeforeSuccess)
    {
        private readonly ConcurrentDictionary<Guid, int> _counts = new();

        public int FailuresBeforeSuccess { get; } = FailuresBeforeSuccess;

        public ConcurrentBag<Guid> Succeeded { get; } = [];

        public ConcurrentDictionary<Guid, int> LastRedelivery { get; } = new();

        public int Count(Guid id) => _counts.GetValueOrDefault(id);

        public int Record(Guid id, int redelivery)
        {
            LastRedelivery[id] = redelivery;
            return _counts.AddOrUpdate(id, 1, (_, count) => count + 1);
        }
    }
}

/// <summary>Two attempts per delivery (one immediate retry), then the redeliveries the bus settings name.</summary>
public sealed class FlakyConsumerDefinition : ConsumerDefinition<FlakyConsumer>
{
    public FlakyConsumerDefinition()
    {
        EndpointName = "flaky";
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<FlakyConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseRelayguardRedelivery(context);
        endpointConfigurator.UseMessageRetry(retry => retry.Immediate(1));
    }
}
