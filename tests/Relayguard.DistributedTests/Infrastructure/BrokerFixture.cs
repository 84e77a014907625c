namespace Relayguard.DistributedTests.Infrastructure;

/// <summary>Starts the private broker once for the whole suite; the tests share it, each on a virtual host of its own.</summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    public RabbitMqBroker Broker { get; } = new();

    public Task InitializeAsync() => Broker.StartAsync();

    public Task DisposeAsync() => Broker.DisposeAsync().AsTask();
}

/// <summary>Every test class of the suite is in this one collection, so the tests run one after another on the 2 cores.</summary>
[CollectionDefinition(Name)]
public sealed class DistributedCollection : ICollectionFixture<BrokerFixture>
{
    public const string Name = "distributed";
}
