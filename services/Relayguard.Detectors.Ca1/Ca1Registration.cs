using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca1;

public static class Ca1Registration
{
    /// <summary>
    /// Messages handled at once per endpoint. The SQLite store commits the writes of all messages waiting at one moment
    /// together, so more messages in flight mean fewer commits.
    /// </summary>
    public const int ConcurrentMessageLimit = 32;

    /// <summary>Retry delays for a failed message, for example while another process holds the SQLite write lock.</summary>
    public static readonly TimeSpan[] RetryIntervals =
        [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)];

    /// <summary>
    /// Adds the CA1 rule, its options (section <see cref="Ca1Options.SectionName"/>, validated at start) and its SQLite
    /// store. The host registers <c>SqliteDatabase</c> and, unless the system clock will do, <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddCa1Detector(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<Ca1Options>()
            .BindSection(configuration, Ca1Options.SectionName)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Ca1Options>, Ca1OptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ICa1Store, SqliteCa1Store>();
        services.TryAddSingleton<Ca1Rule>();
        services.TryAddSingleton<ICa1WarningStore, SqliteCa1WarningStore>();
        services.TryAddSingleton<Ca1EarlyWarning>();
        services.AddDetectorAllowlist<Ca1Rule>("ca1");
        services.AddHostedService<Ca1PruneService>();
        return services;
    }

    /// <summary>Adds the CA1 consumers with their definitions. The host's endpoint name formatter names the queues.</summary>
    public static IBusRegistrationConfigurator AddCa1Consumers(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<Ca1MessageSubmittedConsumer, Ca1MessageSubmittedConsumerDefinition>();
        bus.AddConsumer<Ca1DeliveryBouncedConsumer, Ca1DeliveryBouncedConsumerDefinition>();
        bus.AddConsumer<Ca1AccountUnblockedConsumer, Ca1AccountUnblockedConsumerDefinition>();
        bus.AddDetectorAllowlistConsumer<Ca1Rule>("ca1-allowlist", RetryIntervals);
        bus.AddConsumer<Ca1CountsConsumer, Ca1CountsConsumerDefinition>();
        return bus;
    }
}
