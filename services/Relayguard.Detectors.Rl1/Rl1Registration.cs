using Relayguard.ServiceDefaults;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Relayguard.Detectors.Rl1;

public static class Rl1Registration
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
    /// Adds the RL1 rule, its options (section <see cref="Rl1Options.SectionName"/>, validated at start) and its SQLite
    /// store. The host registers <c>SqliteDatabase</c> and, unless the system clock will do, <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddRl1Detector(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<Rl1Options>()
            .BindSection(configuration, Rl1Options.SectionName)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Rl1Options>, Rl1OptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRl1Store, SqliteRl1Store>();
        services.TryAddSingleton<Rl1Rule>();
        services.AddDetectorAllowlist<Rl1Rule>("rl1");
        services.AddHostedService<Rl1PruneService>();
        return services;
    }

    /// <summary>Adds the RL1 consumers with their definitions. The host's endpoint name formatter names the queues.</summary>
    public static IBusRegistrationConfigurator AddRl1Consumers(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<Rl1MessageSubmittedConsumer, Rl1MessageSubmittedConsumerDefinition>();
        bus.AddConsumer<Rl1AccountUnblockedConsumer, Rl1AccountUnblockedConsumerDefinition>();
        bus.AddConsumer<Rl1IpUnblockedConsumer, Rl1IpUnblockedConsumerDefinition>();
        bus.AddDetectorAllowlistConsumer<Rl1Rule>("rl1-allowlist", RetryIntervals);
        return bus;
    }
}
