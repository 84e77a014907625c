using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relayguard.Gateway.Smtp;

namespace Relayguard.Gateway.Dsn;

/// <summary>Opens the DSN listener when <c>Dsn:Listen</c> is set.</summary>
public sealed class DsnListenerService(DsnSessionHandler handler, IOptions<DsnOptions> options, IOptions<DataOptions> data, IOptions<GatewayOptions> gateway, ILoggerFactory loggers) : IHostedService
{
    private SmtpListener? _listener;

    public IPEndPoint? EndPoint => _listener?.LocalEndPoint;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var listen = options.Value.Listen;
        if (string.IsNullOrWhiteSpace(listen))
        {
            return Task.CompletedTask;
        }

        var listenerOptions = new SmtpListenerOptions
        {
            Name = "dsn",
            EndPoint = Endpoints.ParseListen(listen, "Dsn:Listen (--dsn-smtp)"),
            OfferAuth = false,
            HostName = gateway.Value.HostName ?? Dns.GetHostName(),
        };
        _listener = new SmtpListener(listenerOptions, handler, Path.Combine(data.Value.Directory, "spool"), 100, loggers.CreateLogger("Relayguard.Gateway.Dsn"));
        _listener.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_listener is not null)
        {
            await _listener.StopAsync(TimeSpan.FromSeconds(10));
        }
    }
}
