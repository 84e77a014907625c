using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Help;

/// <summary>
/// The public help listener (<c>Help:Listen</c>, <c>--help-listen</c>): a web server of its own that serves only
/// <c>/help/...</c>, so that opening it beyond loopback exposes neither the operations API nor the console.
/// </summary>
public sealed partial class HelpListenerService(IPEndPoint endPoint, ILogger<HelpListenerService> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The address the listener serves, set once it has started. With port 0 it contains the port that the system chose.</summary>
    public Uri? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = HostArguments.WithoutConfigReload([]) });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(endPoint);
        });
        _app = builder.Build();
        _app.MapHelpPages();
        _app.MapFallback(() => Microsoft.AspNetCore.Http.Results.NotFound());
        await _app.StartAsync(cancellationToken);
        Address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        LogStarted(logger, Address);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [LoggerMessage(EventId = 1801, Level = LogLevel.Information, Message = "Serving the help pages on {Address}help/smtp-errors.")]
    private static partial void LogStarted(ILogger logger, Uri address);
}
