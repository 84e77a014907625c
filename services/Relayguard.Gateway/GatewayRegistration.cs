using System.Net;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relayguard.Bounces;
using Relayguard.Gateway.Blocks;
using Relayguard.Gateway.Dsn;
using Relayguard.Gateway.Events;
using Relayguard.Gateway.Health;
using Relayguard.Gateway.Identity;
using Relayguard.Gateway.Index;
using Relayguard.Gateway.Relay;
using Relayguard.Gateway.Scanning;
using Relayguard.Gateway.Session;
using Relayguard.Gateway.Smtp;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway;

public static class GatewayRegistration
{
    /// <summary>
    /// Adds the SMTP gateway. Expects <see cref="SqliteDatabase"/> and <see cref="TimeProvider"/> singletons
    /// from the host; the help address defaults to the operations listener given in <c>Operations:Listen</c>.
    /// </summary>
    public static IServiceCollection AddGateway(this IServiceCollection services, IConfiguration configuration)
    {
        DurationConverter.Register();
        services.AddOptions<GatewayOptions>().BindSection(configuration, GatewayOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GatewayOptions>, GatewaySettingsValidator>();
        services.AddOptions<LimitsOptions>().BindSection(configuration, LimitsOptions.SectionName);
        services.AddOptions<RelayOptions>().BindSection(configuration, RelayOptions.SectionName);
        services.AddOptions<RspamdOptions>().BindSection(configuration, RspamdOptions.SectionName);
        services.AddOptions<HelpOptions>().BindSection(configuration, HelpOptions.SectionName);
        services.AddOptions<TlsOptions>().BindSection(configuration, TlsOptions.SectionName);
        services.AddOptions<DataOptions>().BindSection(configuration, DataOptions.SectionName);
        services.AddOptions<DsnOptions>().BindSection(configuration, DsnOptions.SectionName);
        services.AddGatewayIdentity(configuration);
        services.AddSessionPolicies(configuration);

        services.AddSingleton(sp => new TrustedNetworks(sp.GetRequiredService<IOptions<GatewayOptions>>().Value.Trusted));
        services.AddSingleton<BlockSnapshotStore>();
        services.AddSingleton<BlockCache>();
        services.AddSingleton<Telemetry.BlockTraces>();

        // The gateway's own copy of the allowlist, so that its local RL1 count spares what operators allowed.
        services.AddDetectorAllowlist<GatewaySessionHandler>("gateway");
        services.AddSingleton<EventOutbox>();
        services.AddSingleton<FailureNoticeQueue>();
        services.AddSingleton<MessageIndex>();
        services.AddSingleton<BounceClassifier>();
        services.AddSingleton<IBounceDetector, ClassifierBounceDetector>();
        services.AddHttpClient<RspamdClient>();
        services.AddSingleton(sp => new RecipientHasher(RecipientHasher.LoadKey(
            sp.GetRequiredService<IOptions<GatewayOptions>>().Value.RecipientHashKey,
            sp.GetRequiredService<IOptions<DataOptions>>().Value.Directory)));
        services.AddSingleton(sp => new HelpLinks(HelpBaseUrl(configuration, sp.GetRequiredService<IOptions<HelpOptions>>().Value)));
        services.AddSingleton<Replies>();
        services.AddSingleton(CreateCertificates);
        services.AddSingleton<IMessageRelay>(CreateRelay);
        services.AddSingleton<RelayRecordWriter>();
        services.AddSingleton<GatewaySessionHandler>();
        services.AddSingleton<ISmtpSessionHandler>(sp => sp.GetRequiredService<GatewaySessionHandler>());
        services.AddSingleton<SmtpGatewayService>();
        services.AddHostedService(sp =>
        {
            sp.GetRequiredService<GatewayGauges>();
            return sp.GetRequiredService<SmtpGatewayService>();
        });
        services.AddHostedService<OutboxDispatcher>();
        services.AddHostedService<FailureNoticeSender>();
        services.AddHostedService<GatewayMaintenance>();
        services.AddHealthChecks()
            .AddCheck<SqliteHealthCheck>("store")
            .AddCheck<UpstreamHealthCheck>("upstream")
            .AddCheck<RspamdHealthCheck>("scanner");
        services.AddSingleton<GatewayGauges>();
        services.AddSingleton<DsnIntake>();
        services.AddSingleton<DsnSessionHandler>();
        services.AddSingleton<DsnListenerService>();
        services.AddHostedService(sp => sp.GetRequiredService<DsnListenerService>());
        return services;
    }

    /// <summary>Adds the consumers that keep this gateway's block cache current.</summary>
    public static IBusRegistrationConfigurator AddGatewayConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<GatewayAccountBlockedConsumer>();
        bus.AddConsumer<GatewayIpBlockedConsumer>();
        bus.AddConsumer<GatewayAccountUnblockedConsumer>();
        bus.AddConsumer<GatewayIpUnblockedConsumer>();
        bus.AddDetectorAllowlistConsumer<GatewaySessionHandler>("gateway-allowlist", [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)]);
        bus.AddConsumer<SessionIpUnblockedConsumer>();
        bus.AddConsumer<SessionAccountUnblockedConsumer>();
        return bus;
    }

    /// <summary>
    /// Returns the help page address: Help:BaseUrl, else the help listener, else the listener that serves the page in
    /// this process: the operations listener in the embedded mode, the gateway's own HTTP listener (Http:Listen) when
    /// the gateway runs alone.
    /// </summary>
    public static string HelpBaseUrl(IConfiguration configuration, HelpOptions help)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(help);
        if (!string.IsNullOrWhiteSpace(help.BaseUrl))
        {
            return help.BaseUrl.TrimEnd('#');
        }

        var listen = !string.IsNullOrWhiteSpace(help.Listen)
            ? help.Listen
            : configuration["Operations:Listen"] ?? configuration["Http:Listen"] ?? "127.0.0.1:8025";
        return $"http://{listen}/help/smtp-errors";
    }

    private static TlsCertificateProvider CreateCertificates(IServiceProvider services)
    {
        var tls = services.GetRequiredService<IOptions<TlsOptions>>().Value;
        if (!string.IsNullOrWhiteSpace(tls.CertificateFile) && !string.IsNullOrWhiteSpace(tls.KeyFile))
        {
            return TlsCertificateProvider.FromFiles(tls.CertificateFile, tls.KeyFile, services.GetRequiredService<ILoggerFactory>().CreateLogger<TlsCertificateProvider>());
        }

        var gateway = services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        return TlsCertificateProvider.SelfSigned(gateway.HostName ?? Dns.GetHostName());
    }

    private static IMessageRelay CreateRelay(IServiceProvider services)
    {
        var relay = services.GetRequiredService<IOptions<RelayOptions>>();
        if (!string.IsNullOrWhiteSpace(relay.Value.Upstream))
        {
            return ActivatorUtilities.CreateInstance<UpstreamRelay>(services);
        }

        var data = services.GetRequiredService<IOptions<DataOptions>>().Value;
        return new PickupRelay(Path.Combine(data.Directory, "pickup"));
    }
}
