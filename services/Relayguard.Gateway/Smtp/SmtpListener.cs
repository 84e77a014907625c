using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Relayguard.Gateway.Smtp;

/// <summary>
/// Accepts connections on one socket and runs an <see cref="SmtpConnection"/> for each. Sets TCP_NODELAY:
/// without it a pipelining client waits for the delayed ACK on every reply.
/// </summary>
public sealed class SmtpListener : IAsyncDisposable
{
    private readonly SmtpListenerOptions _options;
    private readonly ISmtpSessionHandler _handler;
    private readonly string _spoolDirectory;
    private readonly ILogger _logger;
    private readonly SessionCounter _counter;
    private readonly ConcurrentDictionary<SmtpConnection, Task> _sessions = new();
    private volatile bool _stopRequested;
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _socket;
    private Task? _acceptLoop;

    public SmtpListener(SmtpListenerOptions options, ISmtpSessionHandler handler, string spoolDirectory, int maxSessions, ILogger logger)
        : this(options, handler, spoolDirectory, new SessionCounter(maxSessions), logger)
    {
    }

    /// <summary>Creates a listener whose sessions count toward <paramref name="counter"/>, which other listeners may share.</summary>
    public SmtpListener(SmtpListenerOptions options, ISmtpSessionHandler handler, string spoolDirectory, SessionCounter counter, ILogger logger)
    {
        _options = options;
        _handler = handler;
        _spoolDirectory = spoolDirectory;
        _counter = counter;
        _logger = logger;
    }

    /// <summary>The bound address, with the real port when the options asked for port 0.</summary>
    public IPEndPoint? LocalEndPoint => _socket?.LocalEndPoint as IPEndPoint;

    public int ActiveSessions => _sessions.Count;

    // Linux's SOL_SOCKET and SO_REUSEADDR.
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;

    public void Start()
    {
        var socket = new Socket(_options.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (OperatingSystem.IsLinux())
        {
            // SO_REUSEADDR alone, so a restart can bind while old connections are in TIME_WAIT. .NET's ReuseAddress
            // option also sets SO_REUSEPORT on Linux, which let a second instance share the port and take part of
            // the connections without an error.
            socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
        }

        if (_options.EndPoint.AddressFamily == AddressFamily.InterNetworkV6 && _options.EndPoint.Address.Equals(IPAddress.IPv6Any))
        {
            socket.DualMode = true;
        }

        try
        {
            socket.Bind(_options.EndPoint);
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new IOException(
                $"The SMTP listener '{_options.Name}' cannot listen on {_options.EndPoint}: the address is already in use",
                exception);
        }

        socket.Listen(512);
        _socket = socket;
        Log.ListenerStarted(_logger, _options.Name, socket.LocalEndPoint!);
        _acceptLoop = AcceptLoopAsync(_stopping.Token);
    }

    public async Task StopAsync(TimeSpan drainTimeout)
    {
        if (_socket is null)
        {
            return;
        }

        _socket.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop;
        }

        // Sessions between transactions get 421 at once. Sessions in the middle of one get time to finish it first,
        // and 421 after its reply, or when the time is up.
        // A session that starts from here on, after a late PROXY header, is asked to stop as it starts.
        _stopRequested = true;
        var inTransaction = 0;
        foreach (var connection in _sessions.Keys)
        {
            inTransaction += connection.InTransaction ? 1 : 0;
            connection.RequestStop();
        }

        if (inTransaction > 0)
        {
            Log.ListenerDraining(_logger, _options.Name, inTransaction, drainTimeout);
        }

        var drained = Task.WhenAll(_sessions.Values);
        if (await Task.WhenAny(drained, Task.Delay(drainTimeout)) == drained)
        {
            // Ends what the drain did not wait for: a session that started after it began.
            await _stopping.CancelAsync();
        }
        else
        {
            var cut = _sessions.Keys.ToList();
            Log.ListenerCutSessions(_logger, _options.Name, cut.Count, drainTimeout, string.Join(", ", cut.Select(c => c.Session.RemoteEndPoint.Address).Distinct().Take(20)));
            await _stopping.CancelAsync();
            await Task.WhenAny(drained, Task.Delay(TimeSpan.FromSeconds(5)));
        }

        Log.ListenerStopped(_logger, _options.Name);
        _socket = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5));
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket!.AcceptAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException || (ex is SocketException se && se.SocketErrorCode == SocketError.OperationAborted))
            {
                return;
            }
            catch (SocketException ex)
            {
                Log.AcceptFailed(_logger, ex, _options.Name);
                continue;
            }

            client.NoDelay = true;
            if (!_counter.TryEnter())
            {
                Log.TooManySessions(_logger, _options.Name, _counter.Limit);
                _ = RefuseAsync(client);
                continue;
            }

            if (ProxyProtocol.IsFromBalancer(client, _options.ProxyProtocolFrom))
            {
                _ = StartProxiedSessionAsync(client, cancellationToken);
                continue;
            }

            StartSession(client, null, cancellationToken);
        }
    }

    private void StartSession(Socket client, IPEndPoint? clientOverride, CancellationToken cancellationToken)
    {
        var connection = new SmtpConnection(client, _options, _handler, _spoolDirectory, _logger, clientOverride);
        if (_stopRequested)
        {
            connection.RequestStop();
        }

        var task = RunSessionAsync(connection, cancellationToken);
        _sessions[connection] = task;
    }

    /// <summary>Reads the PROXY header a load balancer sends first, then runs the session as the client it names.</summary>
    private async Task StartProxiedSessionAsync(Socket client, CancellationToken cancellationToken)
    {
        try
        {
            var source = await ProxyProtocol.ReadSourceAsync(client, cancellationToken);
            StartSession(client, source, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            ProxyProtocol.LogHeaderRejected(_logger, client.RemoteEndPoint, _options.Name, ex.Message);
            client.Dispose();
        }
    }

    private async Task RunSessionAsync(SmtpConnection connection, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await connection.RunAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            Log.SessionFailed(_logger, ex, connection.Session.SessionId);
        }
        finally
        {
            _sessions.TryRemove(connection, out _);
            _counter.Exit();
        }
    }

    private static async Task RefuseAsync(Socket client)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await client.SendAsync("421 4.3.2 Too many connections, try again later\r\n"u8.ToArray(), SocketFlags.None, cts.Token);
            client.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client left first.
        }
        finally
        {
            client.Dispose();
        }
    }
}
