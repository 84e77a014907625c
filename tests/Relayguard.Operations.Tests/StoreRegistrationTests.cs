using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Relayguard.Operations.Allowlist;
using Relayguard.Operations.Audit;
using Relayguard.Operations.Blocks;
using Relayguard.Operations.Mongo;
using Relayguard.Operations.Tokens;
using Relayguard.Operations.Warnings;
using Relayguard.Operations.Webhooks;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Tests;

/// <summary>
/// The stores that the operations host registers for each <c>Store:Kind</c>. Only the registrations are read, so no
/// MongoDB server is contacted.
/// </summary>
public sealed class StoreRegistrationTests : IDisposable
{
    private static readonly Type[] StoreTypes =
        [typeof(IBlockStore), typeof(IAllowlistStore), typeof(ITokenStore), typeof(IAuditLog), typeof(IWarningStore), typeof(IWebhookQueue)];

    private readonly string _directory = Directory.CreateTempSubdirectory("relayguard-store-registration-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void MongoDb_RegistersOnlyMongoStores()
    {
        var services = Register(StoreOptions.MongoDbKind);

        foreach (var storeType in StoreTypes)
        {
            var registration = Assert.Single(services, service => service.ServiceType == storeType);
            Assert.Equal(typeof(MongoOperationsDatabase).Namespace, registration.ImplementationType?.Namespace);
        }

        Assert.Contains(services, service => service.ImplementationType == typeof(MongoOutboxRelay));
        Assert.DoesNotContain(services, service => service.ServiceType == typeof(SqliteDatabase));
    }

    [Fact]
    public void Sqlite_RegistersOnlySqliteStores()
    {
        var services = Register(StoreOptions.SqliteKind);

        // The SQLite stores open only a local file, so they can be created here.
        IServiceCollection collection = new ServiceCollection();
        foreach (var service in services)
        {
            collection.Add(service);
        }

        using var provider = collection.AddSingleton(TimeProvider.System).AddLogging().BuildServiceProvider();
        foreach (var storeType in StoreTypes)
        {
            Assert.Single(services, service => service.ServiceType == storeType);
            Assert.StartsWith("Sqlite", provider.GetRequiredService(storeType).GetType().Name, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(services, service => service.ImplementationType == typeof(MongoOutboxRelay));
        Assert.Contains(services, service => service.ServiceType == typeof(SqliteDatabase));
    }

    private List<ServiceDescriptor> Register(string kind)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Store:Kind"] = kind,
            ["Store:MongoDb"] = "mongodb://127.0.0.1:27017",
            ["Data:Directory"] = _directory,
        });

        builder.AddOperationsStore();
        builder.Services.AddOperations(builder.Configuration);
        return [.. builder.Services];
    }
}
