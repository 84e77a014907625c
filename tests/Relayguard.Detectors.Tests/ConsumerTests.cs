using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Relayguard.Contracts;
using Relayguard.Detectors.Bo1;
using Relayguard.Detectors.Ca1;
using Relayguard.Detectors.Ca2;

namespace Relayguard.Detectors.Tests;

/// <summary>The consumers on MassTransit's in-memory test harness, each detector with its own SQLite file.</summary>
public sealed class ConsumerTests : IDisposable
{
    private readonly TestDatabase _database = new();
    private readonly FakeTimeProvider _time = new(Events.Start.AddMinutes(30));

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Ca1_PublishesOneAccountBlocked()
    {
        await using var provider = CreateProvider((services, configuration) => services.AddCa1Detector(configuration), bus => bus.AddCa1Consumers());
        var harness = await StartAsync(provider);
        var submittedAt = Events.Start.AddMinutes(5);

        await PublishAndWaitAsync(harness, Events.Relayed("alice", 125, submittedAt));
        var bounces = Enumerable.Range(0, 40).Select(i => Events.Bounce("alice", i, submittedAt)).ToList();
        foreach (var bounce in bounces)
        {
            await PublishAndWaitAsync(harness, bounce);
        }

        // A redelivery of every bounce, as after a broker failover.
        foreach (var bounce in bounces)
        {
            await PublishAndWaitAsync(harness, bounce);
        }

        var published = harness.Published.Select<AccountBlocked>().ToList();
        var blocked = Assert.Single(published);
        Assert.Equal("alice", blocked.Context.Message.Account);
        Assert.Equal(RuleCodes.Ca1, blocked.Context.Message.Code);
        Assert.Equal(blocked.Context.Message.EventId, blocked.Context.MessageId);
        Assert.DoesNotContain(harness.Consumed.Select<DeliveryBounced>(), message => message.Exception is not null);
    }

    [Fact]
    public async Task Ca1_LiftAllowsNewBlockLater()
    {
        await using var provider = CreateProvider((services, configuration) => services.AddCa1Detector(configuration), bus => bus.AddCa1Consumers());
        var harness = await StartAsync(provider);
        var before = Events.Start.AddMinutes(5);

        await PublishAndWaitAsync(harness, Events.Relayed("alice", 125, before));
        for (var i = 0; i < 25; i++)
        {
            await PublishAndWaitAsync(harness, Events.Bounce("alice", i, before));
        }

        await PublishAndWaitAsync(harness, Events.AccountLift("alice", RuleCodes.Ca1, Events.Start.AddMinutes(20)));
        for (var i = 25; i < 50; i++)
        {
            await PublishAndWaitAsync(harness, Events.Bounce("alice", i, before));
        }

        Assert.Single(harness.Published.Select<AccountBlocked>());
    }

    [Fact]
    public async Task Ca2_PublishesOneIpBlocked()
    {
        await using var provider = CreateProvider((services, configuration) => services.AddCa2Detector(configuration), bus => bus.AddCa2Consumers());
        var harness = await StartAsync(provider);

        for (var i = 0; i < 8; i++)
        {
            await PublishAndWaitAsync(harness, Events.SpamRejected("203.0.113.7", Events.Start.AddMinutes(20 + i)));
        }

        var blocked = Assert.Single(harness.Published.Select<IpBlocked>());
        Assert.Equal("203.0.113.7", blocked.Context.Message.Ip);
        Assert.Equal(_time.GetUtcNow().AddHours(24), blocked.Context.Message.ExpiresAt);
        Assert.Equal(blocked.Context.Message.EventId, blocked.Context.MessageId);
        Assert.Empty(harness.Published.Select<AccountBlocked>());
    }

    [Fact]
    public async Task Ca2_SharedRangePublishesAccountBlocked()
    {
        await using var provider = CreateProvider((services, configuration) => services.AddCa2Detector(configuration), bus => bus.AddCa2Consumers());
        var harness = await StartAsync(provider);

        for (var i = 0; i < 5; i++)
        {
            await PublishAndWaitAsync(harness, Events.SpamRejected("100.64.3.4", Events.Start.AddMinutes(20 + i), account: "bob"));
        }

        var blocked = Assert.Single(harness.Published.Select<AccountBlocked>());
        Assert.Equal("bob", blocked.Context.Message.Account);
        Assert.Equal("100.64.3.4", blocked.Context.Message.OnIp);
        Assert.Empty(harness.Published.Select<IpBlocked>());
    }

    [Fact]
    public async Task Bo1_PublishesNullSenderBlocks()
    {
        await using var provider = CreateProvider((services, configuration) => services.AddBo1Detector(configuration), bus => bus.AddBo1Consumers());
        var harness = await StartAsync(provider);

        for (var i = 0; i < 2; i++)
        {
            await PublishAndWaitAsync(harness, Events.BounceRefused("198.51.100.20", Events.Start.AddMinutes(20 + i), account: "carol", stage: "mail"));
        }

        for (var i = 0; i < 5; i++)
        {
            await PublishAndWaitAsync(harness, Events.BounceRefused("198.51.100.20", Events.Start.AddMinutes(22 + i), account: "carol"));
        }

        var account = Assert.Single(harness.Published.Select<AccountBlocked>()).Context.Message;
        var ip = Assert.Single(harness.Published.Select<IpBlocked>()).Context.Message;
        Assert.Equal(BlockScopes.NullSender, account.Scope);
        Assert.Equal(BlockScopes.NullSender, ip.Scope);
        Assert.Equal(RuleCodes.Bo1, account.Code);
        Assert.Equal("198.51.100.20", ip.Ip);
    }

    [Fact]
    public void EndpointNames_AreDistinctPerDetector()
    {
        var formatter = KebabCaseEndpointNameFormatter.Instance;

        Assert.Equal("ca1-message-submitted", formatter.Consumer<Ca1MessageSubmittedConsumer>());
        Assert.Equal("ca2-message-submitted", formatter.Consumer<Ca2MessageSubmittedConsumer>());
        Assert.Equal("bo1-message-submitted", formatter.Consumer<Bo1MessageSubmittedConsumer>());
        Assert.Equal("ca1-delivery-bounced", formatter.Consumer<Ca1DeliveryBouncedConsumer>());
        Assert.Equal("ca2-ip-unblocked", formatter.Consumer<Ca2IpUnblockedConsumer>());
        Assert.Equal("bo1-account-unblocked", formatter.Consumer<Bo1AccountUnblockedConsumer>());
    }

    private ServiceProvider CreateProvider(Action<IServiceCollection, IConfiguration> addDetector, Action<IBusRegistrationConfigurator> addConsumers)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([]).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(_database.Database);
        services.AddSingleton<TimeProvider>(_time);
        addDetector(services, configuration);
        services.AddMassTransitTestHarness(addConsumers);
        return services.BuildServiceProvider(validateScopes: true);
    }

    private static async Task<ITestHarness> StartAsync(IServiceProvider provider)
    {
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        return harness;
    }

    /// <summary>Publishes an event under a new bus message id and waits until a consumer has handled that delivery.</summary>
    private static async Task PublishAndWaitAsync<T>(ITestHarness harness, T message)
        where T : class
    {
        var deliveryId = NewId.NextGuid();
        await harness.Bus.Publish(message, context => context.MessageId = deliveryId);
        Assert.True(await harness.Consumed.Any<T>(consumed => consumed.Context.MessageId == deliveryId), $"{typeof(T).Name} {deliveryId} was not consumed.");
    }
}
