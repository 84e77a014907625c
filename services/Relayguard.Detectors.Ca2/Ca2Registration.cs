using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca2;

public static class Ca2Registration
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
    /// Adds the CA2 rule, its options (section <see cref="Ca2Options.SectionName"/>, validated at start) and its SQLite
    /// store. The host registers <c>SqliteDatabase</c> and, unless the system clock will do, <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddCa2Detector(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<Ca2Options>()
            .BindSection(configuration, Ca2Options.SectionName)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Ca2Options>, Ca2OptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ICa2Store, SqliteCa2Store>();
        services.TryAddSingleton<Ca2Rule>();
        services.AddDetectorAllowlist<Ca2Rule>("ca2");
        services.AddHostedService<Ca2PruneService>();
        return services;
    }

    /// <summary>Adds the CA2 consumers with their definitions. The host's endpoint name formatter names the queues.</summary>
    public static IBusRegistrationConfigurator AddCa2Consumers(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<Ca2MessageSubmittedConsumer, Ca2MessageSubmittedConsumerDefinition>();
        bus.AddConsumer<Ca2AccountUnblockedConsumer, Ca2AccountUnblockedConsumerDefinition>();
        bus.AddConsumer<Ca2IpUnblockedConsumer, Ca2IpUnblockedConsumerDefinition>();
        bus.AddDetectorAllowlistConsumer<Ca2Rule>("ca2-allowlist", RetryIntervals);
        return bus;
    }
}
