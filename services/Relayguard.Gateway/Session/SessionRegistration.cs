using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Session;

public static class SessionRegistration
{
    /// <summary>Adds the sender policy and this instance's RL1 count, with their options validated at start.</summary>
    public static IServiceCollection AddSessionPolicies(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SenderPolicyOptions>().BindSection(configuration, SenderPolicyOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SenderPolicyOptions>, SessionOptionsValidator>();
        services.AddOptions<RateLimitOptions>().BindSection(configuration, RateLimitOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, SessionOptionsValidator>();
        services.AddSingleton<SenderPolicy>();
        services.AddSingleton<LocalRateCounter>();
        return services;
    }
}
