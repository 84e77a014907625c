using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Identity;

public static class IdentityRegistration
{
    /// <summary>
    /// Adds the account store, the password check that <c>Auth:Provider</c> names (the local store or Dovecot), the
    /// AUTH throttle and the login-network flag, with their options validated at start.
    /// </summary>
    public static IServiceCollection AddGatewayIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().BindSection(configuration, AuthOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddSingleton(sp => new AccountStore(sp.GetRequiredService<SqliteDatabase>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new AuthThrottleJournal(sp.GetRequiredService<SqliteDatabase>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new AuthThrottle(sp.GetRequiredService<IOptions<AuthOptions>>().Value.Throttle, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<AuthThrottleJournal>()));
        services.AddSingleton(sp => new LoginNetworkMonitor(sp.GetRequiredService<IOptions<AuthOptions>>().Value.LoginNetworks, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IPasswordVerifier>(CreateVerifier);
        return services;
    }

    private static IPasswordVerifier CreateVerifier(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<AuthOptions>>().Value;
        if (DovecotEndpoint.TryParse(options.Provider, out var endpoint, out _))
        {
            return new DovecotAuthClient(endpoint!, options.Timeout, services.GetRequiredService<ILogger<DovecotAuthClient>>());
        }

        return new LocalPasswordVerifier(services.GetRequiredService<AccountStore>());
    }
}
