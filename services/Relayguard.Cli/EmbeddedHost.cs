using MassTransit;
using Microsoft.AspNetCore.Builder;
using Relayguard.Detectors.Bo1;
using Relayguard.Detectors.Ca1;
using Relayguard.Detectors.Ca2;
using Relayguard.Detectors.Rl1;
using Relayguard.Gateway;
using Relayguard.Gateway.Dsn;
using Relayguard.Gateway.Help;
using Relayguard.Operations;
using Relayguard.ServiceDefaults;

namespace Relayguard.Cli;

/// <summary>
/// The embedded mode: one process runs the gateway, the detectors and the operations API on MassTransit's
/// in-memory transport, with state in one SQLite file in the data folder.
/// </summary>
public static class EmbeddedHost
{
    public const string DefaultOpsListen = "127.0.0.1:8025";

    /// <summary>Builds the host from command-line configuration and the settings named by <c>relayguard run</c>'s options.</summary>
    public static WebApplication Build(string[] args, IReadOnlyDictionary<string, string?> settings, Action<WebApplicationBuilder>? configure = null)
    {
        DurationConverter.Register();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = HostArguments.WithoutConfigReload(args), ContentRootPath = Directory.GetCurrentDirectory() });
        builder.Configuration.AddEnvironmentVariables("RELAYGUARD_");
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Configuration.AddCommandLine(args);
        builder.AddServiceDefaults("relayguard");

        var configuration = builder.Configuration;
        var opsListen = configuration["Operations:Listen"] ?? DefaultOpsListen;
        configuration["Operations:Listen"] = opsListen;
        var opsEndPoint = Endpoints.ParseListen(opsListen, "Operations:Listen (--ops)");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(opsEndPoint));

        // Made after the checks above, so that a mistyped option leaves no new folder behind.
        var dataDirectory = Path.GetFullPath(configuration["Data:Directory"] ?? "./data");
        configuration["Data:Directory"] = dataDirectory;
        var folder = new DataFolder(dataDirectory, Created: !Directory.Exists(dataDirectory));
        var database = SqliteDatabase.OpenConfigured(Path.Combine(dataDirectory, "relayguard.db"), $"Data:Directory (--data) '{dataDirectory}'");
        ProcessedEvents.EnsureSchema(database);

        var services = builder.Services;
        services.AddSingleton(folder);
        services.AddKnownKeys("Operations:Listen", "Data:Directory");
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(database);
        services.AddGateway(configuration);
        services.AddHelpListener(configuration);
        services.AddCa1Detector(configuration);
        services.AddCa2Detector(configuration);
        services.AddBo1Detector(configuration);
        services.AddRl1Detector(configuration);
        services.AddOperations(configuration);
        services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();

            // MassTransit sends usage reports to its vendor's server unless this turns them off. A mail gateway must not
            // connect to a host that its operators did not configure.
            bus.DisableUsageTelemetry();
            bus.AddGatewayConsumers();
            bus.AddCa1Consumers();
            bus.AddCa2Consumers();
            bus.AddBo1Consumers();
            bus.AddRl1Consumers();
            bus.AddOperationsConsumers();
            bus.UsingRelayguardInMemory();
        });
        services.Configure<MassTransitHostOptions>(options => options.WaitUntilStarted = true);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapServiceDefaults();
        app.MapHelpPages();
        app.MapOperationsApi();
        app.MapDsnApi();
        return app;
    }
}

/// <summary>The embedded mode's data folder, and whether this run created it: a start that fails removes a folder it created.</summary>
public sealed record DataFolder(string Path, bool Created);
