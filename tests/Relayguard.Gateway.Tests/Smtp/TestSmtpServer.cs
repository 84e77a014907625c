using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Relayguard.Gateway.Smtp;

namespace Relayguard.Gateway.Tests.Smtp;

/// <summary>The product's SMTP protocol layer on a loopback port, with <see cref="StubSessionHandler"/> behind it.</summary>
internal sealed class TestSmtpServer : IAsyncDisposable
{
    private readonly SmtpListener _listener;

    private TestSmtpServer(SmtpListener listener, StubSessionHandler handler, string spool)
    {
        _listener = listener;
        Handler = handler;
        SpoolDirectory = spool;
    }

    public StubSessionHandler Handler { get; }

    public string SpoolDirectory { get; }

    public IPEndPoint EndPoint => _listener.LocalEndPoint!;

    public int ActiveSessions => _listener.ActiveSessions;

    public static TestSmtpServer Start(SmtpLimits? limits = null, int maxSessions = 100, SessionCounter? counter = null)
    {
        var spool = Directory.CreateTempSubdirectory("relayguard-spool-").FullName;
        var handler = new StubSessionHandler();
        var options = new SmtpListenerOptions
        {
            Name = "test",
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            AllowPlaintextAuth = true,
            HostName = "gateway.test",
            Limits = limits ?? new SmtpLimits(),
        };
        var listener = new SmtpListener(options, handler, spool, counter ?? new SessionCounter(maxSessions), NullLogger.Instance);
        listener.Start();
        return new TestSmtpServer(listener, handler, spool);
    }

    public Task<LineClient> ConnectAsync() => LineClient.ConnectAsync(EndPoint);

    /// <summary>Stops the listener as the host does at shutdown, giving open transactions <paramref name="drainTimeout"/>.</summary>
    public Task StopAsync(TimeSpan drainTimeout) => _listener.StopAsync(drainTimeout);

    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync();
        Directory.Delete(SpoolDirectory, recursive: true);
    }
}
