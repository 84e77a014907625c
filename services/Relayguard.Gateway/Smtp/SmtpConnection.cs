using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Microsoft.Extensions.Logging;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Smtp;

/// <summary>
/// One SMTP session on one connection (RFC 5321, RFC 6409 submission, RFC 3207 STARTTLS, RFC 4954 AUTH,
/// RFC 2920 pipelining, RFC 3461 DSN parameters, RFC 6531 SMTPUTF8). Enforces the protocol and its limits;
/// every decision about mail is left to the <see cref="ISmtpSessionHandler"/>.
/// </summary>
public sealed partial class SmtpConnection
{
    private static readonly SslProtocols AllowedTlsProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    private readonly Socket _socket;
    private readonly SmtpListenerOptions _options;
    private readonly ISmtpSessionHandler _handler;
    private readonly string _spoolDirectory;
    private readonly ILogger _logger;
    private readonly ArrayBufferWriter<byte> _output = new(1024);
    private readonly SmtpSessionContext _session;
    private Stream _stream;
    private SmtpTransaction? _transaction;
    private int _commands;
    private int _errors;

    // Set by the listener at shutdown: a session between transactions ends at once, one in a transaction after it.
    // The lock orders the listener's request against the session's wait for its next command.
    private readonly Lock _stopLock = new();
    private bool _stopRequested;
    private bool _waitingForCommand;
    private volatile bool _inMessage;
    private CancellationTokenSource? _sessionTimeout;

    public SmtpConnection(Socket socket, SmtpListenerOptions options, ISmtpSessionHandler handler, string spoolDirectory, ILogger logger, IPEndPoint? clientOverride = null)
    {
        _socket = socket;
        _options = options;
        _handler = handler;
        _spoolDirectory = spoolDirectory;
        _logger = logger;
        _stream = new NetworkStream(socket, ownsSocket: true);
        var remote = clientOverride ?? (IPEndPoint)socket.RemoteEndPoint!;
        _session = new SmtpSessionContext(NewSessionId(), remote, (IPEndPoint)socket.LocalEndPoint!, options);
    }

    public SmtpSessionContext Session => _session;

    /// <summary>True while a transaction is open, from MAIL FROM to the reply after its data.</summary>
    public bool InTransaction => _transaction is not null || _inMessage;

    /// <summary>
    /// Ends the session with 421 as soon as no transaction is open: now, when it waits for a command outside a
    /// transaction, or else after the transaction's reply. The listener calls this when it stops.
    /// </summary>
    public void RequestStop()
    {
        lock (_stopLock)
        {
            _stopRequested = true;
            if (!_waitingForCommand || _transaction is not null)
            {
                return;
            }

            try
            {
                _sessionTimeout?.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The session has just ended.
            }
        }
    }

    private SmtpLimits Limits => _options.Limits;

    /// <summary>Runs the session until QUIT, a protocol error that ends it, a timeout, or cancellation.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _sessionTimeout = timeout;
        using var activity = RelayguardTelemetry.Source.StartActivity("smtp.session", ActivityKind.Server);
        _session.Activity = activity;
        activity?.SetTag("client.address", _session.RemoteEndPoint.Address.ToString());
        activity?.SetTag("relayguard.listener", _options.Name);
        try
        {
            if (_options.ImplicitTls && !await StartTlsAsync(timeout.Token))
            {
                return;
            }

            var refusal = await _handler.OnConnectedAsync(_session, timeout.Token);
            if (refusal is not null)
            {
                Write(refusal);
                await FlushAsync();
                return;
            }

            Write(new SmtpReply(220, null, $"{_options.HostName} ESMTP Relayguard ready"));
            while (true)
            {
                var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4096, leaveOpen: true));
                var input = new SmtpInput(reader, FlushAsync);
                var next = await RunCommandsAsync(input, timeout);
                input.Detach();
                await reader.CompleteAsync();
                if (next != SessionStep.StartTls || !await StartTlsAsync(timeout.Token))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (_stopRequested && !cancellationToken.IsCancellationRequested && _transaction is null)
        {
            await TryWriteFinalAsync(ShuttingDown);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Log.SessionTimedOut(_logger, _session.SessionId, _session.RemoteEndPoint.Address);
            await TryWriteFinalAsync(new SmtpReply(421, "4.4.2", $"{_options.HostName} Timeout, closing connection") { CloseConnection = true });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await TryWriteFinalAsync(ShuttingDown);
        }
        catch (AuthenticationException ex)
        {
            // A customer whose program offers only old TLS versions or ciphers gets only a dropped connection, so
            // support needs this line. One line a minute per address keeps scanners from filling the log.
            var client = _session.RemoteEndPoint.Address;
            if (_options.TlsFailureLog.TryLog(client.ToString(), out var heldBack))
            {
                Log.TlsHandshakeFailed(_logger, client, _options.Name, ex.InnerException?.Message ?? ex.Message, heldBack);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            Log.SessionEndedByNetwork(_logger, _session.SessionId, _session.RemoteEndPoint.Address, ex.Message);
        }
        finally
        {
            AbandonTransaction();
            activity?.SetTag("enduser.id", _session.Account);
            activity?.SetTag("relayguard.tls", _session.IsTls);
            _handler.OnDisconnected(_session);
            await _stream.DisposeAsync();
        }
    }

    private async Task<SessionStep> RunCommandsAsync(SmtpInput input, CancellationTokenSource timeout)
    {
        while (true)
        {
            timeout.CancelAfter(Limits.CommandTimeout);
            bool stop;
            lock (_stopLock)
            {
                stop = _stopRequested && _transaction is null;
                _waitingForCommand = !stop;
            }

            if (stop)
            {
                Write(ShuttingDown);
                await FlushAsync();
                return SessionStep.Closed;
            }

            SmtpInput.LineResult? line;
            try
            {
                line = await input.ReadLineAsync(Limits.CommandLineLength, timeout.Token);
            }
            finally
            {
                lock (_stopLock)
                {
                    _waitingForCommand = false;
                }
            }

            if (line is null)
            {
                return SessionStep.Closed;
            }

            if (++_commands > Limits.CommandsPerSession)
            {
                Write(new SmtpReply(421, "4.7.0", $"{_options.HostName} Too many commands in one session, closing connection"));
                await FlushAsync();
                return SessionStep.Closed;
            }

            SmtpReply reply;
            if (line.IsTooLong)
            {
                reply = new SmtpReply(500, "5.5.6", $"Command line too long: the limit is {Limits.CommandLineLength} octets");
            }
            else if (line.IsInvalidUtf8)
            {
                reply = new SmtpReply(500, "5.5.2", "Command refused: it is not valid UTF-8");
            }
            else if (line.EndedWithBareLf && !IsTrustedClient)
            {
                // RFC 5321 section 2.3.8: only CRLF ends a line. Trusted ranges may keep an older program's LF.
                reply = new SmtpReply(500, "5.5.2", "Command refused: it ended with a bare LF; end every command line with CRLF");
            }
            else if (HasControlCharacter(line.Text))
            {
                reply = new SmtpReply(500, "5.5.2", "Command refused: it contains a NUL or another control character");
            }
            else
            {
                var (verb, argument) = SplitCommand(line.Text);
                switch (verb)
                {
                    case "DATA":
                        reply = await DataAsync(input, argument, timeout);
                        if (reply.Code == 250)
                        {
                            // The count starts again with each accepted message. The limit stops a client that sends
                            // commands without delivering mail, and a long connection that delivers mail stays open.
                            _commands = 0;
                        }

                        break;
                    case "AUTH":
                        reply = await AuthAsync(input, argument, timeout.Token);
                        break;
                    case "STARTTLS":
                        reply = StartTlsCommand(argument);
                        if (reply.Code == 220)
                        {
                            Write(reply);
                            await FlushAsync();

                            // RFC 3207 section 6: anything the client pipelined after STARTTLS is discarded.
                            input.DiscardBuffered();
                            return SessionStep.StartTls;
                        }

                        break;
                    default:
                        reply = await CommandAsync(verb, argument, timeout.Token);
                        break;
                }
            }

            if (reply.Code >= 500 && ++_errors >= Limits.ErrorsPerSession)
            {
                Write(reply);
                reply = new SmtpReply(421, "4.7.0", $"{_options.HostName} Too many errors, closing connection") { CloseConnection = true };
            }

            Write(reply);
            if (reply.CloseConnection)
            {
                await FlushAsync();
                return SessionStep.Closed;
            }
        }
    }

    private async ValueTask<SmtpReply> CommandAsync(string verb, string argument, CancellationToken cancellationToken)
    {
        switch (verb)
        {
            case "EHLO":
            case "HELO":
                return Hello(verb, argument);
            case "MAIL":
                return await MailAsync(argument, cancellationToken);
            case "RCPT":
                return await RcptAsync(argument, cancellationToken);
            case "RSET":
                if (argument.Trim().Length > 0)
                {
                    return new SmtpReply(501, "5.5.4", "Syntax: RSET (no argument)");
                }

                AbandonTransaction();
                return new SmtpReply(250, "2.0.0", "OK");
            case "NOOP":
                return new SmtpReply(250, "2.0.0", "OK");
            case "QUIT":
                if (argument.Trim().Length > 0)
                {
                    return new SmtpReply(501, "5.5.4", "Syntax: QUIT (no argument)");
                }

                AbandonTransaction();
                return new SmtpReply(221, "2.0.0", $"{_options.HostName} closing connection") { CloseConnection = true };
            case "VRFY":
                return argument.Trim().Length == 0
                    ? new SmtpReply(501, "5.5.4", "Syntax: VRFY address")
                    : new SmtpReply(252, "2.5.0", "Cannot verify the address, but will accept the message and attempt delivery");
            case "EXPN":
                return new SmtpReply(502, "5.5.1", "EXPN is not supported");
            case "HELP":
                return new SmtpReply(214, "2.0.0", "Commands: EHLO HELO STARTTLS AUTH MAIL RCPT DATA RSET NOOP QUIT. See RFC 5321.");
            case "BDAT":
                return new SmtpReply(502, "5.5.1", "BDAT is not supported: use DATA");
            case "GET":
            case "POST":
            case "CONNECT":
            case "USER":
                return new SmtpReply(421, "4.7.0", $"{_options.HostName} This is an SMTP server, closing connection") { CloseConnection = true };
            default:
                return new SmtpReply(500, "5.5.2", "Command not recognized");
        }
    }

    private SmtpReply Hello(string verb, string argument)
    {
        var name = argument.Trim();
        if (name.Length == 0 || name.Contains(' ', StringComparison.Ordinal))
        {
            return new SmtpReply(501, "5.5.4", $"Syntax: {verb} hostname");
        }

        AbandonTransaction();
        _session.HeloName = name;
        _session.IsExtended = verb == "EHLO";
        if (!_session.IsExtended)
        {
            return new SmtpReply(250, null, _options.HostName);
        }

        var lines = new List<string>
        {
            _options.HostName,
            "PIPELINING",
            $"SIZE {Limits.MessageSize.ToString(CultureInfo.InvariantCulture)}",
            "8BITMIME",
            "ENHANCEDSTATUSCODES",
            "DSN",
            "SMTPUTF8",
        };
        if (!_session.IsTls && _options.Certificate?.Invoke() is not null)
        {
            lines.Add("STARTTLS");
        }

        if (AuthAllowed)
        {
            lines.Add("AUTH PLAIN LOGIN");
        }

        return new SmtpReply(250, null, string.Join('\n', lines));
    }

    private bool AuthAllowed => _options.OfferAuth && (_session.IsTls || _options.AllowPlaintextAuth);

    private async ValueTask<SmtpReply> MailAsync(string argument, CancellationToken cancellationToken)
    {
        if (_session.HeloName is null)
        {
            return new SmtpReply(503, "5.5.1", "Send EHLO or HELO first");
        }

        if (_transaction is not null)
        {
            return new SmtpReply(503, "5.5.1", "Nested MAIL command: send RSET first");
        }

        if (!argument.StartsWith("FROM:", StringComparison.OrdinalIgnoreCase))
        {
            return new SmtpReply(501, "5.5.4", "Syntax: MAIL FROM:<address> [parameters]");
        }

        if (!SmtpPathParser.TryParse(argument[5..], allowNull: true, out var address, out var parameters, out var repeated, out var error))
        {
            return SmtpPathParser.IsParameterError(error)
                ? new SmtpReply(501, "5.5.4", $"Invalid MAIL parameters: {error}")
                : new SmtpReply(501, "5.1.7", $"Invalid sender address: {error}");
        }

        if (repeated is not null)
        {
            return RepeatedParameter(repeated);
        }

        var parameterError = CheckMailParameters(parameters);
        if (parameterError is not null)
        {
            return parameterError;
        }

        if (!SmtpPathParser.IsAscii(address) && !parameters.ContainsKey("SMTPUTF8"))
        {
            return new SmtpReply(553, "5.6.7", "A non-ASCII sender address needs the SMTPUTF8 parameter");
        }

        var transaction = new SmtpTransaction(MessageIds.New(), address, parameters);

        // The transaction span stays open until the transaction ends; the handler tags it with the outcome.
        var activity = RelayguardTelemetry.Source.StartActivity("smtp.transaction", ActivityKind.Server, _session.Activity?.Context ?? default);
        activity?.SetTag("relayguard.message_id", transaction.Id);
        transaction.Activity = activity;
        SmtpReply reply;
        try
        {
            reply = await _handler.MailFromAsync(_session, transaction, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Refusing a blocked sender writes an event: a full disk fails it, and the client gets a reply all the same.
            Log.HandlerFailed(_logger, ex, _session.SessionId, transaction.Id);
            reply = new SmtpReply(451, "4.3.0", "Local error in processing, try again later");
        }

        if (reply.IsPositive)
        {
            _transaction = transaction;
        }
        else
        {
            EndTransactionSpan(transaction, reply);
        }

        return reply;
    }

    private SmtpReply? CheckMailParameters(Dictionary<string, string?> parameters)
    {
        foreach (var (key, value) in parameters)
        {
            switch (key)
            {
                case "SIZE":
                    if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size))
                    {
                        return new SmtpReply(501, "5.5.4", $"Invalid SIZE value '{value}': it must be a number of octets");
                    }

                    if (size > Limits.MessageSize)
                    {
                        return new SmtpReply(552, "5.3.4", $"Message size exceeds the limit of {Limits.MessageSize.ToString(CultureInfo.InvariantCulture)} octets");
                    }

                    break;
                case "BODY":
                    if (!string.Equals(value, "7BIT", StringComparison.OrdinalIgnoreCase) && !string.Equals(value, "8BITMIME", StringComparison.OrdinalIgnoreCase))
                    {
                        return new SmtpReply(555, "5.5.4", $"Unsupported BODY value '{value}': use 7BIT or 8BITMIME");
                    }

                    break;
                case "RET":
                    if (DsnParameters.CheckReturn(value) is { } invalidReturn)
                    {
                        return invalidReturn;
                    }

                    break;
                case "ENVID":
                    if (DsnParameters.CheckEnvelopeId(value) is { } invalidEnvelopeId)
                    {
                        return invalidEnvelopeId;
                    }

                    break;
                case "SMTPUTF8":
                case "AUTH":
                    break;
                default:
                    return new SmtpReply(555, "5.5.4", $"Unsupported MAIL parameter {key}");
            }
        }

        return null;
    }

    private async ValueTask<SmtpReply> RcptAsync(string argument, CancellationToken cancellationToken)
    {
        if (_transaction is null)
        {
            return new SmtpReply(503, "5.5.1", "Send MAIL FROM first");
        }

        if (!argument.StartsWith("TO:", StringComparison.OrdinalIgnoreCase))
        {
            return new SmtpReply(501, "5.5.4", "Syntax: RCPT TO:<address> [parameters]");
        }

        if (!SmtpPathParser.TryParse(argument[3..], allowNull: false, out var address, out var parameters, out var repeated, out var error))
        {
            return SmtpPathParser.IsParameterError(error)
                ? new SmtpReply(501, "5.5.4", $"Invalid RCPT parameters: {error}")
                : new SmtpReply(501, "5.1.3", $"Invalid recipient address: {error}");
        }

        if (repeated is not null)
        {
            return RepeatedParameter(repeated);
        }

        var parameterError = CheckRcptParameters(parameters);
        if (parameterError is not null)
        {
            return parameterError;
        }

        if (!SmtpPathParser.IsAscii(address) && !_transaction.Parameters.ContainsKey("SMTPUTF8"))
        {
            return new SmtpReply(553, "5.6.7", "A non-ASCII recipient address needs the SMTPUTF8 parameter on MAIL FROM");
        }

        // A client may name a recipient twice. The message goes to it once, as an MTA delivers it, and the second
        // RCPT is neither counted nor relayed. Case is ignored, as MailKit ignores it when it relays: Bob@ and bob@
        // reach one mailbox at nearly every provider.
        if (_transaction.Recipients.Exists(r => string.Equals(r.Address, address, StringComparison.OrdinalIgnoreCase)))
        {
            return new SmtpReply(250, "2.1.5", "Recipient OK, already given; the message goes to it once");
        }

        if (_transaction.Recipients.Count >= Limits.RecipientsPerMessage)
        {
            return new SmtpReply(452, "4.5.3", $"Too many recipients: at most {Limits.RecipientsPerMessage} per message");
        }

        var recipient = new SmtpRecipient(address, parameters);
        SmtpReply reply;
        try
        {
            reply = await _handler.RcptToAsync(_session, _transaction, recipient, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.HandlerFailed(_logger, ex, _session.SessionId, _transaction.Id);
            reply = new SmtpReply(451, "4.3.0", "Local error in processing, try again later");
        }

        if (reply.IsPositive)
        {
            _transaction.Recipients.Add(recipient);
        }

        return reply;
    }

    private static SmtpReply? CheckRcptParameters(Dictionary<string, string?> parameters)
    {
        foreach (var (key, value) in parameters)
        {
            var reply = key switch
            {
                "NOTIFY" => DsnParameters.CheckNotify(value),
                "ORCPT" => DsnParameters.CheckOriginalRecipient(value),
                _ => new SmtpReply(555, "5.5.4", $"Unsupported RCPT parameter {key}"),
            };
            if (reply is not null)
            {
                return reply;
            }
        }

        return null;
    }

    private static SmtpReply RepeatedParameter(string keyword) =>
        new(501, "5.5.4", $"Parameter {keyword} is given more than once: give each parameter at most once");

    private async ValueTask<SmtpReply> DataAsync(SmtpInput input, string argument, CancellationTokenSource timeout)
    {
        if (argument.Length > 0)
        {
            return new SmtpReply(501, "5.5.4", "Syntax: DATA");
        }

        if (_transaction is null)
        {
            return new SmtpReply(503, "5.5.1", "Send MAIL FROM first");
        }

        if (_transaction.Recipients.Count == 0)
        {
            return new SmtpReply(554, "5.5.1", "No valid recipients");
        }

        Write(new SmtpReply(354, null, "End data with <CR><LF>.<CR><LF>"));
        var transaction = _transaction;
        using var data = new MessageData(_spoolDirectory, Limits.InMemoryThreshold, Limits.MessageSize);
        // The data may pause for DataTimeout at a time, and take DataDuration in all.
        var upload = Stopwatch.StartNew();
        void RestartDataTimeout()
        {
            var left = Limits.DataDuration - upload.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                // The upload is over its time. CancelAfter throws for a negative span, and -1 ms means never.
                left = TimeSpan.FromTicks(1);
            }

            timeout.CancelAfter(TimeSpan.FromTicks(Math.Min(left.Ticks, Limits.DataTimeout.Ticks)));
        }

        RestartDataTimeout();
        var normalize = IsTrustedClient;
        if (!await input.ReadDataAsync(data, normalize, RestartDataTimeout, timeout.Token))
        {
            return new SmtpReply(421, "4.4.2", "Connection closed before the end of the data") { CloseConnection = true };
        }

        data.Finish();
        _transaction = null;
        SmtpReply reply;
        if (data.TooLarge)
        {
            reply = new SmtpReply(552, "5.3.4", $"Message size exceeds the limit of {Limits.MessageSize.ToString(CultureInfo.InvariantCulture)} octets");
            _handler.OnTransactionAbandoned(_session, transaction, reply);
            EndTransactionSpan(transaction, reply);
            return reply;
        }

        if (data.StorageError is { } storageError)
        {
            Log.SpoolFailed(_logger, _session.SessionId, transaction.Id, _spoolDirectory, storageError);
            reply = new SmtpReply(452, "4.3.1", "Insufficient system storage, try again later");
            _handler.OnTransactionAbandoned(_session, transaction, reply);
            EndTransactionSpan(transaction, reply);
            return reply;
        }

        if (data.HadBareLineEnding && !normalize)
        {
            var help = _options.LineEndingsHelp is null ? string.Empty : $". See {_options.LineEndingsHelp}";
            reply = new SmtpReply(550, "5.5.2", $"Message refused: a line ended with a bare CR or LF; every line must end with CRLF{help}");
            _handler.OnTransactionAbandoned(_session, transaction, reply);
            EndTransactionSpan(transaction, reply);
            return reply;
        }

        // The handler decides and must return a reply. A failure inside it becomes a temporary error, never silence.
        timeout.CancelAfter(Limits.DataTimeout);
        Activity.Current = transaction.Activity ?? Activity.Current;
        transaction.Activity?.SetTag("relayguard.size", data.Length);
        _inMessage = true;
        try
        {
            reply = await _handler.MessageAsync(_session, transaction, data, timeout.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.HandlerFailed(_logger, ex, _session.SessionId, transaction.Id);
            reply = new SmtpReply(451, "4.3.0", "Local error in processing, try again later");
        }
        finally
        {
            _inMessage = false;
        }

        EndTransactionSpan(transaction, reply);
        return reply;
    }

    private SmtpReply ShuttingDown => new(421, "4.3.2", $"{_options.HostName} Service shutting down, try again later") { CloseConnection = true };

    /// <summary>True for a client in a trusted range, whose bare line endings are normalised instead of refused.</summary>
    private bool IsTrustedClient => _session.Items.TryGetValue(SessionItems.Trusted, out var trusted) && trusted is true;

    private SmtpReply StartTlsCommand(string argument)
    {
        if (argument.Length > 0)
        {
            return new SmtpReply(501, "5.5.4", "Syntax: STARTTLS");
        }

        if (_session.IsTls)
        {
            return new SmtpReply(503, "5.5.1", "TLS is already active");
        }

        if (_options.Certificate?.Invoke() is null)
        {
            return new SmtpReply(454, "4.7.0", "TLS not available");
        }

        return new SmtpReply(220, "2.0.0", "Ready to start TLS");
    }

    private async Task<bool> StartTlsAsync(CancellationToken cancellationToken)
    {
        var certificate = _options.Certificate?.Invoke();
        if (certificate is null)
        {
            return false;
        }

        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        handshake.CancelAfter(TimeSpan.FromSeconds(30));
        await ssl.AuthenticateAsServerAsync(
            new SslServerAuthenticationOptions
            {
                ServerCertificate = certificate,
                EnabledSslProtocols = AllowedTlsProtocols,
                ClientCertificateRequired = false,
            },
            handshake.Token);
        _stream = ssl;

        // RFC 3207 section 4.2: the session starts again, forgetting EHLO and everything learned before TLS, a
        // login included.
        AbandonTransaction();
        _session.Account = null;
        _session.IsTls = true;
        _session.HeloName = null;
        _session.IsExtended = false;
        return true;
    }

    private void AbandonTransaction()
    {
        if (_transaction is not null)
        {
            _handler.OnTransactionAbandoned(_session, _transaction, null);
            _transaction.Activity?.SetTag("relayguard.outcome", "abandoned");
            EndTransactionSpan(_transaction, null);
            _transaction = null;
        }
    }

    private static void EndTransactionSpan(SmtpTransaction transaction, SmtpReply? reply)
    {
        var activity = transaction.Activity;
        if (activity is null)
        {
            return;
        }

        if (reply is not null)
        {
            activity.SetTag("relayguard.reply_code", reply.Code);
            if (!reply.IsPositive)
            {
                activity.SetStatus(ActivityStatusCode.Error, reply.EnhancedStatus ?? reply.Code.ToString(CultureInfo.InvariantCulture));
            }
        }

        activity.Stop();
        transaction.Activity = null;
    }

    private void Write(SmtpReply reply)
    {
        var text = reply.ToWire();
        var span = _output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        _output.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    private async ValueTask FlushAsync()
    {
        if (_output.WrittenCount == 0)
        {
            return;
        }

        await _stream.WriteAsync(_output.WrittenMemory);
        await _stream.FlushAsync();
        _output.ResetWrittenCount();
    }

    private async Task TryWriteFinalAsync(SmtpReply reply)
    {
        try
        {
            Write(reply);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _stream.WriteAsync(_output.WrittenMemory, cts.Token);
            _output.ResetWrittenCount();
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The client disconnected or stopped reading, so the reply cannot be delivered.
        }
    }

    private static (string Verb, string Argument) SplitCommand(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var verb = (space < 0 ? line : line[..space]).ToUpperInvariant();
        var argument = space < 0 ? string.Empty : line[(space + 1)..];
        return (verb, argument);
    }

    /// <summary>True for NUL and the other C0 and C1 controls except tab, which no command needs.</summary>
    private static bool HasControlCharacter(string line)
    {
        foreach (var c in line)
        {
            if (char.IsControl(c) && c != '\t')
            {
                return true;
            }
        }

        return false;
    }

    private static string NewSessionId() => Convert.ToHexString(Guid.NewGuid().ToByteArray(), 0, 6);

    private enum SessionStep
    {
        Closed,
        StartTls,
    }
}
