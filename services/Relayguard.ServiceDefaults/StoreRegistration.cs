using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MongoDB.Driver;

namespace Relayguard.ServiceDefaults;

/// <summary>Chooses a detector's state store from <see cref="StoreOptions"/>.</summary>
public static class StoreRegistration
{
    /// <summary>
    /// Registers the store that <c>Store:Kind</c> names: for <c>sqlite</c>, the shared <see cref="SqliteDatabase"/> that
    /// the detector's SQLite store takes (the detector registration adds that store itself); for <c>mongodb</c>, an
    /// <see cref="IMongoDatabase"/> and the store that <paramref name="createMongoStore"/> returns, registered before
    /// the detector so that its SQLite default is not used.
    /// </summary>
    public static WebApplicationBuilder AddStateStore<TStore>(this WebApplicationBuilder builder, Func<IServiceProvider, IMongoDatabase, TStore> createMongoStore)
        where TStore : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(createMongoStore);
        builder.Services.AddOptions<StoreOptions>().BindSection(builder.Configuration, StoreOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<StoreOptions>, StoreOptionsValidator>();

        var settings = builder.Configuration.GetSection(StoreOptions.SectionName).Get<StoreOptions>() ?? new StoreOptions();
        if (!settings.UsesMongoDb)
        {
            builder.AddSqliteStore();
            return builder;
        }

        builder.Services.AddSingleton<IMongoClient>(provider => new MongoClient(provider.GetRequiredService<IOptions<StoreOptions>>().Value.MongoDb));
        builder.Services.AddSingleton(provider => provider.GetRequiredService<IMongoClient>().GetDatabase(provider.GetRequiredService<IOptions<StoreOptions>>().Value.MongoDatabase));
        builder.Services.AddSingleton(provider => createMongoStore(provider, provider.GetRequiredService<IMongoDatabase>()));
        return builder;
    }
}
