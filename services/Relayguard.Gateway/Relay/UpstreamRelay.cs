using System.Collections.Concurrent;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using System.Diagnostics;
using Relayguard.Gateway.Smtp;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Relay;

/// <summary>
/// Relays to the upstream MTA with MailKit over a pool of open connections, replying to the client only after
/// the upstream has replied (a before-queue proxy), so nothing is accepted that was not handed on.
/// </summary>
public sealed partial class UpstreamRelay : IMessageRelay, IAsyncDisposable
{
    private readonly RelayOptions _options;
    private readonly string _host;
    private readonly int _port;
    private readonly string _localDomain;
    private readonly TimeProvider _time;
    private readonly ILogger<UpstreamRelay> _logger;
    private readonly ConcurrentBag<RelaySmtpClient> _idle = [];
    private readonly SemaphoreSlim _slots;

    public UpstreamRelay(IOptions<RelayOptions> options, IOptions<GatewayOptions> gateway, TimeProvider time, ILogger<UpstreamRelay> logger)
    {
        _options = options.Value;
        (_host, _port) = Endpoints.ParseHostPort(_options.Upstream!, "Relay:Upstream");
        _localDomain = gateway.Value.HostName ?? System.Net.Dns.GetHostName();
        _time = time;
        _logger = logger;
        _slots = new SemaphoreSlim(_options.Connections);
    }

    public string Upstream => $"{_host}:{_port}";

    public async Task<RelayResult> RelayAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        using var activity = RelayguardTelemetry.Source.StartActivity("relay", ActivityKind.Client);
        activity?.SetTag("relayguard.message_id", message.GatewayId);
        activity?.SetTag("relayguard.recipients", message.Recipients.Count);
        activity?.SetTag("server.address", _host);
        activity?.SetTag("server.port", _port);
        var started = Stopwatch.GetTimestamp();
        var result = await RelayWithPoolAsync(message, cancellationToken);
        RelayguardTelemetry.RelayDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        var replyClass = result.Reply.Code == 451 && result.Reply.EnhancedStatus is "4.4.1" or "4.4.2" ? "unreachable" : $"{result.Reply.Code / 100}xx";
        RelayguardTelemetry.UpstreamReplies.Add(1, RelayguardTelemetry.Tag("class", replyClass));
        activity?.SetTag("relayguard.reply_code", result.Reply.Code);
        activity?.SetTag("relayguard.refused_recipients", result.RefusedRecipients.Count);
        if (!result.Accepted)
        {
            activity?.SetStatus(ActivityStatusCode.Error, result.Reply.ToString());
        }

        return result;
    }

    private async Task<RelayResult> RelayWithPoolAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            // A pooled connection may have been closed by the upstream while idle. One fresh try is safe
            // because the failure happens before the message data is accepted.
            for (var attempt = 0; ; attempt++)
            {
                var (client, reused) = Take();
                try
                {
                    var result = await SendAsync(client, message, cancellationToken);
                    Return(client);
                    return result;
                }
                catch (Exception ex) when (reused && attempt == 0 && IsStaleConnection(ex))
                {
                    Discard(client);
                }
                catch (Exception ex) when (IsConnectFailure(ex))
                {
                    Discard(client);
                    LogUpstreamUnavailable(_logger, message.GatewayId, Upstream, ex.Message);
                    return new RelayResult(false, new SmtpReply(451, "4.4.1", "Upstream mail server unavailable, try again later"), []);
                }
                catch (SmtpCommandException ex)
                {
                    Discard(client);
                    return new RelayResult(false, ToReply(ex.StatusCode, ex.Message), [], $"{Upstream} said {(int)ex.StatusCode} {ex.Message}");
                }
                catch (Exception ex) when (ex is SmtpProtocolException or IOException or OperationCanceledException or ServiceNotConnectedException)
                {
                    Discard(client);
                    if (cancellationToken.IsCancellationRequested)
                    {
                        throw;
                    }

                    LogUpstreamFailed(_logger, message.GatewayId, Upstream, ex.Message);
                    return new RelayResult(false, new SmtpReply(451, "4.4.2", "Connection to the upstream mail server failed, try again later"), []);
                }
                catch
                {
                    // A fault of the gateway's own: the connection may be mid-transaction, so it is closed, never
                    // pooled again or left open until the upstream times it out.
                    Discard(client);
                    throw;
                }
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryTake(out var client))
        {
            try
            {
                if (client.IsConnected)
                {
                    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    await client.DisconnectAsync(true, cts.Token);
                }
            }
            catch (Exception ex) when (ex is IOException or SmtpProtocolException or OperationCanceledException or SocketException)
            {
                // Closing anyway.
            }

            client.Dispose();
        }
    }

    private async Task<RelayResult> SendAsync(RelaySmtpClient client, OutgoingMessage message, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        if (client.IsConnected && _time.GetUtcNow() - client.ConnectedAt > _options.ConnectionReuseTime)
        {
            await client.DisconnectAsync(true, timeout.Token);
        }

        if (!client.IsConnected)
        {
            await ConnectAsync(client, timeout.Token);
        }
        else if (_time.GetUtcNow() - client.LastUsed > _options.IdleCheck)
        {
            await client.NoOpAsync(timeout.Token);
        }

        // MailKit sends SMTPUTF8, and turns an A-label such as xn--bcher-kva.example into UTF-8, whenever the upstream
        // offers SMTPUTF8. So the upstream's offer is shown to MailKit only for a message whose client asked for it,
        // and an ASCII envelope goes on as it came.
        var upstreamUtf8 = (client.UpstreamCapabilities & SmtpCapabilities.UTF8) != 0;
        if (message.SmtpUtf8 && !upstreamUtf8 && !IsAsciiEnvelope(message))
        {
            return new RelayResult(false, new SmtpReply(550, "5.6.7", "The upstream mail server does not accept non-ASCII addresses (no SMTPUTF8); send from and to ASCII addresses"), [], $"{Upstream} does not offer SMTPUTF8");
        }

        var shownUtf8 = (client.Capabilities & SmtpCapabilities.UTF8) != 0;
        if (message.SmtpUtf8 && upstreamUtf8 && !shownUtf8)
        {
            // MailKit lets an extension be turned off but never on again, so a connection that hid SMTPUTF8 for an
            // earlier message is opened anew.
            await client.DisconnectAsync(true, timeout.Token);
            await ConnectAsync(client, timeout.Token);
        }
        else if (!message.SmtpUtf8 && shownUtf8)
        {
            client.Capabilities &= ~SmtpCapabilities.UTF8;
        }

        client.Refused.Clear();
        client.SenderRefusal = null;
        client.EnvelopeId = message.EnvelopeId;
        client.DeliveryStatusNotificationType = message.ReturnContent;
        client.Envelope.Clear();
        var sender = message.ReversePath.Length == 0 ? new MailboxAddress(string.Empty, string.Empty) : MailboxAddress.Parse(ParserOptions.Default, message.ReversePath);
        var recipients = new List<MailboxAddress>();
        foreach (var recipient in message.Recipients)
        {
            var mailbox = new MailboxAddress(string.Empty, recipient.Address);
            client.Envelope[mailbox] = (recipient.Address, ParseNotify(recipient));
            recipients.Add(mailbox);
        }

        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        options.International = message.SmtpUtf8;

        string response;
        try
        {
            response = await client.SendAsync(options, message.Message, sender, recipients, timeout.Token);
        }
        catch (SmtpCommandException) when (client.SenderRefusal is { } refusal && refusal.StatusCode != SmtpStatusCode.ServiceNotAvailable)
        {
            // The recipients were never considered, so none of them counts as refused. A 421 goes on to the caller,
            // which tries a pooled connection that the upstream closed once more on a new one.
            var senderReply = ToReply(refusal.StatusCode, refusal.Response);
            client.LastUsed = _time.GetUtcNow();
            return new RelayResult(false, senderReply, [], $"{Upstream} refused the sender with {senderReply}");
        }
        catch (SmtpCommandException ex) when (ex.ErrorCode == SmtpErrorCode.RecipientNotAccepted || client.Refused.Count == recipients.Count)
        {
            // Every recipient was refused: the client gets the upstream's own reply.
            var first = client.Refused.Count > 0 ? ToReply(client.Refused[0].Response.StatusCode, client.Refused[0].Response.Response) : ToReply(ex.StatusCode, ex.Message);
            client.LastUsed = _time.GetUtcNow();
            return new RelayResult(false, first, Refusals(client), $"{Upstream} refused every recipient, the first with {first}");
        }

        client.LastUsed = _time.GetUtcNow();
        var refused = Refusals(client);
        var reply = new SmtpReply(250, "2.0.0", $"Message accepted as {message.GatewayId}");
        return new RelayResult(true, reply, refused, $"{Upstream} said {response}");
    }

    private async Task ConnectAsync(RelaySmtpClient client, CancellationToken cancellationToken)
    {
        client.LocalDomain = _localDomain;
        client.Timeout = (int)_options.Timeout.TotalMilliseconds;
        await client.ConnectAsync(_host, _port, SecureSocketOptions.None, cancellationToken);
        client.UpstreamCapabilities = client.Capabilities;
        client.ConnectedAt = _time.GetUtcNow();
    }

    private static bool IsAsciiEnvelope(OutgoingMessage message) =>
        SmtpPathParser.IsAscii(message.ReversePath) && message.Recipients.All(r => SmtpPathParser.IsAscii(r.Address));

    private static List<RefusedRecipient> Refusals(RelaySmtpClient client) =>
        client.Refused.Select(r => new RefusedRecipient(r.Address, ToReply(r.Response.StatusCode, r.Response.Response))).ToList();

    private static DeliveryStatusNotification? ParseNotify(SmtpRecipient recipient)
    {
        if (!recipient.Parameters.TryGetValue("NOTIFY", out var value) || value is null)
        {
            return null;
        }

        var notify = DeliveryStatusNotification.Never;
        foreach (var part in value.Split(','))
        {
            notify |= part.Trim().ToUpperInvariant() switch
            {
                "SUCCESS" => DeliveryStatusNotification.Success,
                "FAILURE" => DeliveryStatusNotification.Failure,
                "DELAY" => DeliveryStatusNotification.Delay,
                _ => DeliveryStatusNotification.Never,
            };
        }

        return notify == DeliveryStatusNotification.Never ? DeliveryStatusNotification.Never : notify & ~DeliveryStatusNotification.Never;
    }

    internal static SmtpReply ToReply(SmtpStatusCode code, string text)
    {
        var parsed = SmtpReply.Parse($"{(int)code} {text.Replace("\r", string.Empty, StringComparison.Ordinal).Replace('\n', ' ')}");
        return parsed;
    }

    private (RelaySmtpClient Client, bool Reused) Take() =>
        _idle.TryTake(out var client) ? (client, true) : (new RelaySmtpClient(), false);

    private void Return(RelaySmtpClient client)
    {
        if (client.IsConnected)
        {
            _idle.Add(client);
        }
        else
        {
            client.Dispose();
        }
    }

    private static void Discard(RelaySmtpClient client)
    {
        try
        {
            client.Dispose();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // Already broken.
        }
    }

    private static bool IsStaleConnection(Exception ex) =>
        ex is IOException or SmtpProtocolException or ServiceNotConnectedException
        || (ex is SmtpCommandException command && command.StatusCode == SmtpStatusCode.ServiceNotAvailable);

    private static bool IsConnectFailure(Exception ex) =>
        ex is SocketException || (ex is SslHandshakeException) || (ex.InnerException is SocketException && ex is not SmtpCommandException);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, Message = "Upstream {Upstream} is unreachable for message {MessageId}: {Error}. The client got 451 4.4.1 and may retry.")]
    private static partial void LogUpstreamUnavailable(ILogger logger, string messageId, string upstream, string error);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Warning, Message = "Relaying message {MessageId} to {Upstream} failed: {Error}. The client got a 4xx reply and may retry.")]
    private static partial void LogUpstreamFailed(ILogger logger, string messageId, string upstream, string error);
}
