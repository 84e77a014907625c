using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Relayguard.Cli;
using Relayguard.Detectors.Bo1;
using Relayguard.Detectors.Ca1;
using Relayguard.Detectors.Ca2;
using Relayguard.Detectors.Rl1;
using Relayguard.Gateway;
using Relayguard.Operations;
using Relayguard.ServiceDefaults;

namespace Relayguard.Benchmarks;

/// <summary>
/// The embedded host (<see cref="EmbeddedHost"/>), or the same services and consumers in one process on RabbitMQ.
/// The distributed mode runs each service as its own process; this is what can be measured of its bus path
/// without those processes.
/// </summary>
public static class BenchHost
{
    public static WebApplication Build(string transport, string? rabbitMqUri, IReadOnlyDictionary<string, string?> settings)
    {
        if (transport == "memory")
        {
            return EmbeddedHost.Build([], settings);
        }

        if (transport != "rabbitmq" || string.IsNullOrWhiteSpace(rabbitMqUri))
        {
            throw new ArgumentException($"Unknown transport '{transport}': use memory, or rabbitmq with --rabbitmq amqp://...");
        }

        DurationConverter.Register();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = HostArguments.WithoutConfigReload([]), ContentRootPath = settings["Data:Directory"] });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults("relayguard-bench");
        var configuration = builder.Configuration;
        var dataDirectory = configuration["Data:Directory"]!;
        var database = new SqliteDatabase(Path.Combine(dataDirectory, "relayguard.db"));
        ProcessedEvents.EnsureSchema(database);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(Endpoints.ParseListen(configuration["Operations:Listen"]!, "Operations:Listen")));

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(database);
        services.AddGateway(configuration);
        services.AddCa1Detector(configuration);
        services.AddCa2Detector(configuration);
        services.AddBo1Detector(configuration);
        services.AddRl1Detector(configuration);
        services.AddOperations(configuration);
        services.AddMassTransit(bus =>
        {
            bus.DisableUsageTelemetry();
            bus.SetKebabCaseEndpointNameFormatter();
            bus.AddGatewayConsumers();
            bus.AddCa1Consumers();
            bus.AddCa2Consumers();
            bus.AddBo1Consumers();
            bus.AddRl1Consumers();
            bus.AddOperationsConsumers();
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(new Uri(rabbitMqUri));
                rabbit.ConfigureEndpoints(context);
            });
        });
        services.Configure<MassTransitHostOptions>(options => options.WaitUntilStarted = true);

        var app = builder.Build();
        app.MapOperationsApi();
        return app;
    }
}
