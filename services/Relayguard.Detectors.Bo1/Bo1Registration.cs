using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Bo1;

public static class Bo1Registration
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
    /// Adds the BO1 escalation rule, its options (section <see cref="Bo1Options.SectionName"/> and the shared ranges
    /// of <see cref="Bo1Options.SharedRangesKey"/>, validated at start) and its SQLite store. The host registers
    /// <c>SqliteDatabase</c> and, unless the system clock will do, <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddBo1Detector(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<Bo1Options>()
            .BindSection(configuration, Bo1Options.SectionName)
            .Configure(options => options.SharedRanges = configuration.GetSection(Bo1Options.SharedRangesKey).Get<string[]>())
            .ValidateOnStart();
        services.AddKnownSetting(Bo1Options.SharedRangesKey, typeof(string[]));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Bo1Options>, Bo1OptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IBo1Store, SqliteBo1Store>();
        services.TryAddSingleton<Bo1Rule>();
        services.AddDetectorAllowlist<Bo1Rule>("bo1");
        services.AddHostedService<Bo1PruneService>();
        return services;
    }

    /// <summary>Adds the BO1 consumers with their definitions. The host's endpoint name formatter names the queues.</summary>
    public static IBusRegistrationConfigurator AddBo1Consumers(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<Bo1MessageSubmittedConsumer, Bo1MessageSubmittedConsumerDefinition>();
        bus.AddConsumer<Bo1AccountUnblockedConsumer, Bo1AccountUnblockedConsumerDefinition>();
        bus.AddConsumer<Bo1IpUnblockedConsumer, Bo1IpUnblockedConsumerDefinition>();
        bus.AddDetectorAllowlistConsumer<Bo1Rule>("bo1-allowlist", RetryIntervals);
        return bus;
    }
}
