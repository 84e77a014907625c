using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;
using Relayguard.Gateway.Relay;
using Relayguard.Gateway.Smtp;

namespace Relayguard.Gateway.Tests.Relay;

/// <summary>
/// How the relay's connection pool meets an upstream's replies, against a scripted upstream on loopback: the
/// integration tests use smtp-sink and Postfix, which cannot be made to reply 421 to one chosen command.
/// </summary>
public sealed class UpstreamRelayTests
{
    [Fact]
    public async Task PooledConnection_421AtMail_RetriedOnNewConnection()
    {
        // The first connection takes one message, then replies 421 to the next MAIL FROM and closes, as an upstream
        // that shuts an idle connection down does. The second connection takes everything.
        await using var upstream = ScriptedUpstream.Start(connection => connection == 1 ? 1 : int.MaxValue);
        await using var relay = new UpstreamRelay(
            Options.Create(new RelayOptions { Upstream = $"127.0.0.1:{upstream.Port}", Connections = 1 }),
            Options.Create(new GatewayOptions { HostName = "gateway.test" }),
            TimeProvider.System,
            NullLogger<UpstreamRelay>.Instance);

        var first = await relay.RelayAsync(Message("gw-1"), CancellationToken.None);
        var second = await relay.RelayAsync(Message("gw-2"), CancellationToken.None);

        Assert.True(first.Accepted, first.Reply.ToString());
        Assert.True(second.Accepted, second.Reply.ToString());
        Assert.Equal(2, upstream.Connections);
    }

    private static OutgoingMessage Message(string id)
    {
        var message = MimeMessage.Load(new MemoryStream(Encoding.ASCII.GetBytes("From: alice@customer.test\r\nTo: bob@example.net\r\nSubject: pooled\r\n\r\nHello.\r\n")));
        return new OutgoingMessage(id, "alice@customer.test", [new SmtpRecipient("bob@example.net", new Dictionary<string, string?>())], id, false, message);
    }

    /// <summary>
    /// An SMTP server that offers PIPELINING and accepts, on its Nth connection, as many messages as the script gives,
    /// then replies 421 to the next MAIL FROM and closes that connection.
    /// </summary>
    private sealed class ScriptedUpstream : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly Func<int, int> _messagesPerConnection;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;
        private int _connections;

        private ScriptedUpstream(Func<int, int> messagesPerConnection)
        {
            _messagesPerConnection = messagesPerConnection;
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Connections => Volatile.Read(ref _connections);

        public static ScriptedUpstream Start(Func<int, int> messagesPerConnection) => new(messagesPerConnection);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _accepting;
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }

            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var number = Interlocked.Increment(ref _connections);
                _ = ServeAsync(client, _messagesPerConnection(number));
            }
        }

        private async Task ServeAsync(TcpClient client, int messages)
        {
            using var _ = client;
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 upstream.test ESMTP");
            var accepted = 0;
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var command = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                switch (command)
                {
                    case "EHLO":
                        await writer.WriteAsync("250-upstream.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
                        break;
                    case "MAIL" when accepted >= messages:
                        await writer.WriteLineAsync("421 4.3.2 Service shutting down, closing connection");
                        return;
                    case "DATA":
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        while (await reader.ReadLineAsync(_stop.Token) is { } data && data != ".")
                        {
                        }

                        accepted++;
                        await writer.WriteLineAsync($"250 2.0.0 Ok: queued as Q{accepted}");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 2.0.0 Bye");
                        return;
                    default:
                        await writer.WriteLineAsync("250 2.0.0 Ok");
                        break;
                }
            }
        }
    }
}
