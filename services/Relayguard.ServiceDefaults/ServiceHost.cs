using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// What every service host of the distributed mode shares: configuration sources, console logging, health
/// endpoints, OpenTelemetry traces (OTLP, when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set) and Prometheus metrics.
/// </summary>
public static class ServiceHost
{
    /// <summary>
    /// Creates the builder of one service. Configuration comes from <c>appsettings.json</c> beside the program and in
    /// the working folder, environment variables (<c>Bus__RabbitMq</c> or <c>RELAYGUARD_Bus__RabbitMq</c>) and the command
    /// line (<c>--Bus:RabbitMq=...</c>), later sources winning. The HTTP listener (health, metrics) is <paramref name="listenKey"/>, default <paramref name="defaultListen"/>.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args, string serviceName, string listenKey = "Http:Listen", string defaultListen = "127.0.0.1:8080")
    {
        DurationConverter.Register();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        // appsettings.json in the working folder too (the systemd units run in /etc/relayguard), as relayguard run reads it.
        var workingSettings = Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json");
        if (!string.Equals(Path.GetFullPath(workingSettings), Path.Combine(AppContext.BaseDirectory, "appsettings.json"), StringComparison.Ordinal))
        {
            builder.Configuration.AddJsonFile(workingSettings, optional: true);
            builder.Configuration.AddEnvironmentVariables();
        }

        builder.Configuration.AddEnvironmentVariables("RELAYGUARD_");
        builder.Configuration.AddCommandLine(args);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            console.UseUtcTimestamp = true;
        });

        var listen = builder.Configuration[listenKey] ?? defaultListen;
        builder.Configuration[listenKey] = listen;
        builder.WebHost.UseUrls($"http://{listen}");

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHealthChecks();
        AddTelemetry(builder, serviceName);
        return builder;
    }

    /// <summary>
    /// Maps <c>/health/live</c> (the process is up), <c>/health/ready</c> (the checks tagged
    /// <see cref="BusRegistration.ReadyTag"/> pass) and <c>/metrics</c>.
    /// </summary>
    public static WebApplication MapServiceEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(BusRegistration.ReadyTag) });
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    /// <summary>Registers the SQLite file of <c>Store:Sqlite</c>, by default <c>relayguard.db</c> in <c>Data:Directory</c>.</summary>
    public static SqliteDatabase AddSqliteStore(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var dataDirectory = Path.GetFullPath(builder.Configuration["Data:Directory"] ?? "./data");
        builder.Configuration["Data:Directory"] = dataDirectory;
        Directory.CreateDirectory(dataDirectory);
        var path = builder.Configuration[$"{StoreOptions.SectionName}:Sqlite"];
        var database = new SqliteDatabase(string.IsNullOrWhiteSpace(path) ? Path.Combine(dataDirectory, "relayguard.db") : path);
        ProcessedEvents.EnsureSchema(database);
        builder.Services.AddSingleton(database);
        return database;
    }

    private static void AddTelemetry(WebApplicationBuilder builder, string serviceName)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing =>
            {
                tracing.AddSource("MassTransit").AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter("MassTransit", "Relayguard.*").AddRuntimeInstrumentation().AddAspNetCoreInstrumentation().AddPrometheusExporter();
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
    }
}
