using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Relayguard.Gateway.Identity;

/// <summary>
/// Checks passwords with Dovecot's authentication protocol (auth-client protocol 1.x), the way Postfix does with
/// <c>smtpd_sasl_type = dovecot</c>: a VERSION and CPID handshake, then one <c>AUTH</c> request per login with the
/// PLAIN mechanism and an initial response, answered by <c>OK</c>, <c>FAIL</c> or <c>CONT</c>. Connections are
/// kept open and reused, one request at a time on each.
/// </summary>
public sealed partial class DovecotAuthClient : IPasswordVerifier, IAsyncDisposable
{
    // Maximum length of a line from Dovecot; its replies are a few hundred octets.
    private const int MaxLineLength = 16 * 1024;
    private const int MaxIdleConnections = 8;

    private readonly DovecotEndpoint _endpoint;
    private readonly TimeSpan _timeout;
    private readonly ILogger<DovecotAuthClient> _logger;
    private readonly ConcurrentBag<Connection> _idle = [];
    private long _nextRequestId;

    public DovecotAuthClient(DovecotEndpoint endpoint, TimeSpan timeout, ILogger<DovecotAuthClient> logger)
    {
        _endpoint = endpoint;
        _timeout = timeout;
        _logger = logger;
    }

    public async ValueTask<PasswordCheck> VerifyAsync(PasswordRequest request, CancellationToken cancellationToken)
    {
        // Tabs and line ends would break the protocol's line format; no real user name or password contains them
        // in a PLAIN response, where NUL separates the fields.
        if (request.UserName.Contains('\0', StringComparison.Ordinal) || request.Password.Contains('\0', StringComparison.Ordinal))
        {
            return PasswordCheck.Invalid;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        Connection? connection = null;
        try
        {
            connection = _idle.TryTake(out var idle) ? idle : await ConnectAsync(timeout.Token);
            var id = Interlocked.Increment(ref _nextRequestId).ToString(CultureInfo.InvariantCulture);
            var response = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{request.UserName}\0{request.Password}"));
            var secured = request.Secured ? "\tsecured" : string.Empty;
            await connection.WriteLineAsync(
                $"AUTH\t{id}\tPLAIN\tservice=smtp\tnologin\tlip={request.LocalIp}\trip={request.ClientIp}{secured}\tresp={response}",
                timeout.Token);
            var check = await ReadResultAsync(connection, id, request.UserName, timeout.Token);
            Return(connection);
            connection = null;
            return check;
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or DovecotProtocolException && !cancellationToken.IsCancellationRequested)
        {
            LogUnavailable(_logger, ex, _endpoint.ToString());
            return PasswordCheck.Unavailable($"Dovecot auth at {_endpoint} failed: {ex.Message}");
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryTake(out var connection))
        {
            await connection.DisposeAsync();
        }
    }

    private static async Task<PasswordCheck> ReadResultAsync(Connection connection, string id, string userName, CancellationToken cancellationToken)
    {
        while (true)
        {
            var fields = (await connection.ReadLineAsync(cancellationToken)).Split('\t');
            if (fields.Length < 2 || fields[1] != id)
            {
                continue;
            }

            switch (fields[0])
            {
                case "OK":
                    return PasswordCheck.Valid(Parameter(fields, "user") ?? userName);
                case "FAIL":
                    // "temp" marks a temporary failure, such as a user database that is down.
                    return fields.Skip(2).Contains("temp", StringComparer.Ordinal)
                        ? PasswordCheck.Unavailable($"Dovecot reported a temporary failure: {Parameter(fields, "reason") ?? "no reason given"}")
                        : PasswordCheck.Invalid;
                case "CONT":
                    // PLAIN with an initial response needs no further round; a server that asks for one is misconfigured.
                    throw new DovecotProtocolException("Dovecot asked for another round of the PLAIN mechanism.");
                default:
                    continue;
            }
        }
    }

    private static string? Parameter(string[] fields, string name)
    {
        var prefix = name + "=";
        var field = fields.Skip(2).FirstOrDefault(f => f.StartsWith(prefix, StringComparison.Ordinal));
        return field is null ? null : Unescape(field[prefix.Length..]);
    }

    /// <summary>Reverses the protocol's escaping: \001 followed by 1, t, r or n stands for \001, tab, CR or LF.</summary>
    private static string Unescape(string value)
    {
        if (!value.Contains('\u0001', StringComparison.Ordinal))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\u0001' && i + 1 < value.Length)
            {
                i++;
                builder.Append(value[i] switch { 't' => '\t', 'r' => '\r', 'n' => '\n', _ => '\u0001' });
            }
            else
            {
                builder.Append(value[i]);
            }
        }

        return builder.ToString();
    }

    private async Task<Connection> ConnectAsync(CancellationToken cancellationToken)
    {
        var endPoint = _endpoint.ToEndPoint();
        var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = new Connection(socket);
        try
        {
            await connection.WriteLineAsync($"VERSION\t1\t2\nCPID\t{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}", cancellationToken);
            var versionSeen = false;
            var plainOffered = false;
            while (true)
            {
                var fields = (await connection.ReadLineAsync(cancellationToken)).Split('\t');
                switch (fields[0])
                {
                    case "VERSION":
                        if (fields.Length < 2 || fields[1] != "1")
                        {
                            throw new DovecotProtocolException($"Dovecot speaks auth protocol version {string.Join('.', fields.Skip(1))}; version 1 is needed.");
                        }

                        versionSeen = true;
                        break;
                    case "MECH":
                        plainOffered |= fields.Length > 1 && string.Equals(fields[1], "PLAIN", StringComparison.OrdinalIgnoreCase);
                        break;
                    case "DONE":
                        if (!versionSeen || !plainOffered)
                        {
                            throw new DovecotProtocolException("Dovecot's handshake did not offer protocol version 1 with the PLAIN mechanism; add plain to auth_mechanisms.");
                        }

                        LogConnected(_logger, _endpoint.ToString());
                        return connection;
                }
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private void Return(Connection connection)
    {
        if (_idle.Count < MaxIdleConnections)
        {
            _idle.Add(connection);
        }
        else
        {
            _ = connection.DisposeAsync().AsTask();
        }
    }

    [LoggerMessage(EventId = 1401, Level = LogLevel.Debug, Message = "Connected to Dovecot auth at {Endpoint}.")]
    private static partial void LogConnected(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "Dovecot auth at {Endpoint} could not be reached or did not answer; the client gets a temporary failure.")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string endpoint);

    /// <summary>One connection to the auth service, with a line reader bounded to <see cref="MaxLineLength"/>.</summary>
    private sealed class Connection(Socket socket) : IAsyncDisposable
    {
        private readonly NetworkStream _stream = new(socket, ownsSocket: true);
        private readonly byte[] _buffer = new byte[4096];
        private readonly List<byte> _line = [];
        private int _start;
        private int _end;

        public async Task WriteLineAsync(string line, CancellationToken cancellationToken)
        {
            await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), cancellationToken);
        }

        public async Task<string> ReadLineAsync(CancellationToken cancellationToken)
        {
            _line.Clear();
            while (true)
            {
                while (_start < _end)
                {
                    var b = _buffer[_start++];
                    if (b == (byte)'\n')
                    {
                        return Encoding.UTF8.GetString(_line.ToArray());
                    }

                    if (_line.Count >= MaxLineLength)
                    {
                        throw new DovecotProtocolException($"Dovecot sent a line longer than {MaxLineLength} octets.");
                    }

                    _line.Add(b);
                }

                _start = 0;
                _end = await _stream.ReadAsync(_buffer, cancellationToken);
                if (_end == 0)
                {
                    throw new IOException("Dovecot closed the connection.");
                }
            }
        }

        public ValueTask DisposeAsync() => _stream.DisposeAsync();
    }
}
