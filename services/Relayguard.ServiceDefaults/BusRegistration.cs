using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Relayguard.ServiceDefaults;

/// <summary>MassTransit for a service that runs as its own process, on RabbitMQ or, for a service alone, in memory.</summary>
public static class BusRegistration
{
    /// <summary>
    /// Adds MassTransit with kebab-case endpoint names, the consumers that <paramref name="addConsumers"/> registers
    /// with their definitions, and the transport that <see cref="BusOptions"/> names. On RabbitMQ it also declares
    /// <see cref="RelayguardTopology"/> before the bus starts. With <paramref name="busDecidesReadiness"/> false, a bus
    /// that is down makes the service degraded instead of unhealthy, so <c>/health/ready</c> still returns 200: for a
    /// service that is useful while the broker is down.
    /// </summary>
    public static IServiceCollection AddRelayguardBus(
        this IServiceCollection services,
        IConfiguration configuration,
        Action<IBusRegistrationConfigurator> addConsumers,
        Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator>? configureRabbitMq = null,
        bool busDecidesReadiness = true)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(addConsumers);
        DurationConverter.Register();
        services.AddOptions<BusOptions>().BindSection(configuration, BusOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BusOptions>, BusOptionsValidator>();

        // The binder skips a list item it cannot convert, and a list given as one value, without a word.
        var intervals = configuration.GetSection($"{BusOptions.SectionName}:{nameof(BusOptions.RedeliveryIntervals)}");
        var unreadable = intervals.Value is { } single
            ? [$"Bus:RedeliveryIntervals '{single}' is one value: give one duration per item, Bus:RedeliveryIntervals:0=30s, :1=2m and so on."]
            : intervals.GetChildren()
                .Where(item => item.Value is not null && !Durations.TryParse(item.Value, out _))
                .Select(item => $"Invalid {item.Path} '{item.Value}': use a number followed by {Durations.Units}, for example 30s, 2m or 10m.")
                .ToList();
        foreach (var problem in unreadable)
        {
            services.AddOptions<BusOptions>().Validate(_ => false, problem);
        }

        // The transport is chosen while the services are registered, before validation runs, so a bad value falls
        // back to RabbitMQ here and the validator then stops the start with the key named.
        var settings = configuration.GetSection(BusOptions.SectionName).Get<BusOptions>() ?? new BusOptions();
        var useRabbitMq = !string.Equals(settings.Transport, BusOptions.InMemoryTransport, StringComparison.OrdinalIgnoreCase);
        if (useRabbitMq)
        {
            services.AddSingleton(provider => new RabbitMqTopologyService(
                provider.GetRequiredService<IOptions<BusOptions>>(),
                provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<RabbitMqTopologyService>>(),
                provider.GetService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>())
            {
                KeepServingOnRefusedLogin = !busDecidesReadiness,
            });
            services.AddHostedService(provider => provider.GetRequiredService<RabbitMqTopologyService>());
            var whileAway = busDecidesReadiness
                ? "Events wait on the broker or in the gateways' outboxes until the connection is back; MassTransit keeps reconnecting."
                : "The gateway goes on accepting mail with its cached blocks and keeps its events on disk until the connection is back.";
            services.AddHostedService(provider => new BusConnectionMonitor(
                provider.GetRequiredService<IBusControl>(),
                provider.GetRequiredService<IOptions<BusOptions>>(),
                provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<BusConnectionMonitor>>(),
                provider.GetService<TimeProvider>() ?? TimeProvider.System,
                whileAway));
        }

        services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();

            // MassTransit sends usage reports to its vendor's server unless this turns them off. A mail gateway must not
            // connect to a host that its operators did not configure.
            bus.DisableUsageTelemetry();
            bus.ConfigureHealthCheckOptions(health =>
            {
                health.Name = "bus";
                if (!busDecidesReadiness)
                {
                    health.MinimalFailureStatus = HealthStatus.Degraded;
                }
            });
            addConsumers(bus);
            if (useRabbitMq)
            {
                bus.UsingRabbitMq((context, transport) =>
                {
                    var options = context.GetRequiredService<IOptions<BusOptions>>().Value;
                    transport.Host(new Uri(options.RabbitMq!), host => host.ConnectionName(AppDomain.CurrentDomain.FriendlyName));
                    transport.PrefetchCount = options.PrefetchCount;
                    configureRabbitMq?.Invoke(context, transport);
                    transport.ConfigureEndpoints(context);
                });
            }
            else
            {
                bus.UsingRelayguardInMemory();
            }
        });
        services.AddOptions<MassTransitHostOptions>().Configure<IOptions<BusOptions>>((host, bus) => host.WaitUntilStarted = bus.Value.WaitUntilStarted);
        return services;
    }

    /// <summary>
    /// MassTransit's in-memory transport, for the embedded mode and a service alone. Messages are written as plain
    /// JSON with MassTransit's headers beside them, not inside its JSON envelope, because in one process nothing reads
    /// the envelope. In the detector benchmark the envelope cost about 4.4 KB of allocation per event and 5 to 10% of
    /// the events per second.
    /// </summary>
    public static void UsingRelayguardInMemory(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.UsingInMemory((context, transport) =>
        {
            transport.UseRawJsonSerializer(RawSerializerOptions.AddTransportHeaders, isDefault: true);
            transport.ConfigureEndpoints(context);
        });
    }
}
