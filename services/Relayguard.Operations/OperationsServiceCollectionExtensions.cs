using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relayguard.Operations.Allowlist;
using Relayguard.Operations.Api;
using Relayguard.Operations.Audit;
using Relayguard.Operations.Blocks;
using Relayguard.Operations.Tokens;
using Relayguard.Operations.Warnings;
using Relayguard.Operations.Webhooks;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations;

public static class OperationsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the operations options (validated on start), the block, audit, allowlist, warning and token stores,
    /// the webhook dispatcher, the hourly clean-up, RFC 7807 problem details, one JSON form of times, the bearer-token authentication and
    /// policies of the API, and the headers that keep its responses out of caches (<see cref="ApiResponseHeaders"/>). The stores are the SQLite ones unless the host registered others first, as
    /// <see cref="OperationsStoreRegistration.AddOperationsStore"/> does for MongoDB. The host registers
    /// <see cref="TimeProvider"/> as a singleton, and <see cref="SqliteDatabase"/> for the SQLite stores.
    /// </summary>
    public static IServiceCollection AddOperations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OperationsOptions>()
            .BindSection(configuration, OperationsOptions.SectionName)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<OperationsOptions>, OperationsOptionsValidator>();

        services.TryAddSingleton<IBlockStore, SqliteBlockStore>();
        services.AddHostedService<ActiveBlockGauge>();
        services.AddSingleton<BlockCommands>();
        services.AddSingleton<ActiveBlockPages>();
        services.TryAddSingleton<IAuditLog, SqliteAuditLog>();
        services.TryAddSingleton<IAllowlistStore, SqliteAllowlistStore>();
        services.TryAddSingleton<IWarningStore, SqliteWarningStore>();
        services.AddHostedService<OperationsMaintenance>();

        services.AddOptions<WebhookOptions>()
            .BindSection(configuration, WebhookOptions.SectionName)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidator>();
        services.TryAddSingleton<IWebhookQueue, SqliteWebhookQueue>();
        services.AddSingleton<WebhookSender>();
        services.AddHttpClient(WebhookSender.HttpClientName);
        services.AddHostedService<WebhookDispatcher>();
        services.TryAddSingleton<ITokenStore>(provider => new SqliteTokenStore(
            provider.GetRequiredService<SqliteDatabase>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<SqliteTokenStore>>()));

        services.AddProblemDetails();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, ApiResponseHeaders>());
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new UtcMillisecondsConverter()));
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, OperatorTokenAuthenticationHandler>(OperationsAuthorization.Scheme, configureOptions: null);
        services.AddAuthorizationBuilder()
            .AddPolicy(OperationsAuthorization.ReadPolicy, policy => policy
                .AddAuthenticationSchemes(OperationsAuthorization.Scheme)
                .RequireAuthenticatedUser()
                .RequireRole(OperatorRoles.Read, OperatorRoles.Operate))
            .AddPolicy(OperationsAuthorization.OperatePolicy, policy => policy
                .AddAuthenticationSchemes(OperationsAuthorization.Scheme)
                .RequireAuthenticatedUser()
                .RequireRole(OperatorRoles.Operate));
        return services;
    }
}
