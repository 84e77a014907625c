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

namespace Relayguard.Operations;

/// <summary>Chooses the stores of the operations service as a process of its own from <see cref="StoreOptions"/>.</summary>
public static class OperationsStoreRegistration
{
    /// <summary>
    /// Registers the store that <c>Store:Kind</c> names, before <see cref="OperationsServiceCollectionExtensions.AddOperations"/>:
    /// for <c>sqlite</c>, the shared <see cref="SqliteDatabase"/> that the SQLite stores take; for <c>mongodb</c>,
    /// the MongoDB stores and the <see cref="MongoOutboxRelay"/>. The relay publishes through <c>IBus</c>, so the host
    /// must register the bus.
    /// </summary>
    public static WebApplicationBuilder AddOperationsStore(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddStateStore((_, database) => new MongoOperationsDatabase(database));
        var settings = builder.Configuration.GetSection(StoreOptions.SectionName).Get<StoreOptions>() ?? new StoreOptions();
        if (!settings.UsesMongoDb)
        {
            return builder;
        }

        var services = builder.Services;
        services.AddSingleton<MongoEventOutbox>();
        services.AddSingleton<IBlockStore, MongoBlockStore>();
        services.AddSingleton<IAllowlistStore, MongoAllowlistStore>();
        services.AddSingleton<ITokenStore, MongoTokenStore>();
        services.AddSingleton<IAuditLog, MongoAuditLog>();
        services.AddSingleton<IWarningStore, MongoWarningStore>();
        services.AddSingleton<IWebhookQueue, MongoWebhookQueue>();
        services.AddHostedService<MongoOutboxRelay>();
        return builder;
    }
}
