using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Relayguard.ServiceDefaults;

public static class DetectorAllowlistRegistration
{
    /// <summary>
    /// Adds the detector's allowlist copy in the table <c>PREFIX_allowlist</c> of the host's <see cref="SqliteDatabase"/>,
    /// unless the host registered another <see cref="IDetectorAllowlist{TRule}"/> before.
    /// </summary>
    public static IServiceCollection AddDetectorAllowlist<TRule>(this IServiceCollection services, string tablePrefix)
    {
        services.TryAddSingleton<IDetectorAllowlist<TRule>>(provider => new SqliteDetectorAllowlist<TRule>(provider.GetRequiredService<SqliteDatabase>(), tablePrefix));
        return services;
    }

    /// <summary>Adds the consumer of allowlist changes on the endpoint <paramref name="endpointName"/>, retrying at the given intervals.</summary>
    public static IBusRegistrationConfigurator AddDetectorAllowlistConsumer<TRule>(
        this IBusRegistrationConfigurator bus,
        string endpointName,
        TimeSpan[] retryIntervals)
    {
        bus.AddConsumer<DetectorAllowlistConsumer<TRule>>((_, consumer) => consumer.UseMessageRetry(retry => retry.Intervals(retryIntervals)))
            .Endpoint(endpoint => endpoint.Name = endpointName);
        return bus;
    }
}
