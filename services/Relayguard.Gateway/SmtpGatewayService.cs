using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relayguard.Gateway.Help;
using Relayguard.Gateway.Session;
using Relayguard.Gateway.Smtp;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway;

/// <summary>Opens the submission listeners when the host starts and drains them when it stops.</summary>
public sealed class SmtpGatewayService(
    ISmtpSessionHandler handler,
    TlsCertificateProvider certificates,
    IOptions<GatewayOptions> options,
    IOptions<LimitsOptions> limits,
    IOptions<DataOptions> data,
    HelpLinks help,
    ILoggerFactory loggers) : IHostedService
{
    private readonly List<SmtpListener> _listeners = [];
    private readonly SessionCounter _sessions = new(limits.Value.Sessions);

    /// <summary>The bound submission endpoint (with its real port when configured with port 0).</summary>
    public IPEndPoint? SubmissionEndPoint { get; private set; }

    public IPEndPoint? ImplicitTlsEndPoint { get; private set; }

    public int ActiveSessions => _listeners.Sum(l => l.ActiveSessions);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var spool = Path.Combine(data.Value.Directory, "spool");
        CleanSpool(spool);
        var logger = loggers.CreateLogger("Relayguard.Gateway.Smtp");

        var submission = Endpoints.ParseListen(settings.Listen, "Smtp:Listen");
        var listener = Create("submission", submission, implicitTls: false, settings, spool, logger);
        SubmissionEndPoint = listener.LocalEndPoint;
        if (!string.IsNullOrWhiteSpace(settings.ImplicitTlsListen))
        {
            var implicitTls = Create("submissions", Endpoints.ParseListen(settings.ImplicitTlsListen, "Smtp:ImplicitTlsListen"), implicitTls: true, settings, spool, logger);
            ImplicitTlsEndPoint = implicitTls.LocalEndPoint;
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Together, so the drain time is the same with one listener or several.
        await Task.WhenAll(_listeners.Select(listener => listener.StopAsync(TimeSpan.FromSeconds(20))));

        _listeners.Clear();
    }

    private SmtpListener Create(string name, IPEndPoint endPoint, bool implicitTls, GatewayOptions settings, string spool, ILogger logger)
    {
        var limit = limits.Value;
        var listenerOptions = new SmtpListenerOptions
        {
            Name = name,
            EndPoint = endPoint,
            ImplicitTls = implicitTls,
            Certificate = certificates.Current,
            AllowPlaintextAuth = settings.AllowPlaintextAuth && IPAddress.IsLoopback(endPoint.Address),
            HostName = settings.HostName ?? Dns.GetHostName(),
            ProxyProtocolFrom = settings.ProxyProtocolFrom.Select(IpNetwork.Parse).ToList(),
            LineEndingsHelp = help.For(HelpPages.LineEndingsAnchor),
            Limits = new SmtpLimits
            {
                MessageSize = limit.MessageSize,
                RecipientsPerMessage = limit.RecipientsPerMessage,
                CommandLineLength = limit.CommandLineLength,
                CommandsPerSession = limit.CommandsPerSession,
                CommandTimeout = limit.CommandTimeout,
                DataTimeout = limit.DataTimeout,
                DataDuration = limit.DataDuration,
                InMemoryThreshold = limit.InMemoryThreshold,
            },
        };
        var listener = new SmtpListener(listenerOptions, handler, spool, _sessions, logger);
        listener.Start();
        _listeners.Add(listener);
        return listener;
    }

    /// <summary>Deletes spool files a crashed process left behind; their sessions never got a 250.</summary>
    private static void CleanSpool(string spool)
    {
        if (!Directory.Exists(spool))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(spool, "*.tmp"))
        {
            File.Delete(file);
        }
    }
}
