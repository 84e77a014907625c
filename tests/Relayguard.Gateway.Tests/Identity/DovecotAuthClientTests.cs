using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Relayguard.Gateway.Identity;

namespace Relayguard.Gateway.Tests.Identity;

/// <summary>
/// The Dovecot auth client against a scripted server on loopback, for replies a real Dovecot gives only when it is
/// misconfigured or failing. The normal logins run against a real Dovecot in the integration tests.
/// </summary>
public sealed class DovecotAuthClientTests
{
    private static readonly PasswordRequest Request = new("alice", "secret", IPAddress.Loopback, IPAddress.Loopback, Secured: true);

    [Fact]
    public async Task Fail_Temporary_IsUnavailable()
    {
        await using var server = ScriptedDovecot.Start(id => $"FAIL\t{id}\tuser=alice\ttemp\treason=database down");
        await using var client = NewClient(server);

        var check = await client.VerifyAsync(Request, CancellationToken.None);

        Assert.Equal(PasswordResult.Unavailable, check.Result);
        Assert.Contains("database down", check.Error);
    }

    [Fact]
    public async Task Fail_Permanent_IsInvalid()
    {
        await using var server = ScriptedDovecot.Start(id => $"FAIL\t{id}\tuser=alice");
        await using var client = NewClient(server);

        var check = await client.VerifyAsync(Request, CancellationToken.None);

        Assert.Equal(PasswordResult.Invalid, check.Result);
    }

    [Fact]
    public async Task Ok_UsesCanonicalUserName()
    {
        await using var server = ScriptedDovecot.Start(id => $"OK\t{id}\tuser=alice@customer.test");
        await using var client = NewClient(server);

        var check = await client.VerifyAsync(Request, CancellationToken.None);

        Assert.Equal(PasswordResult.Valid, check.Result);
        Assert.Equal("alice@customer.test", check.Account);
    }

    [Fact]
    public async Task Request_SendsPlainWithSecuredFlag()
    {
        await using var server = ScriptedDovecot.Start(id => $"OK\t{id}\tuser=alice");
        await using var client = NewClient(server);

        await client.VerifyAsync(Request, CancellationToken.None);

        var auth = Assert.Single(server.Requests);
        var fields = auth.Split('\t');
        Assert.Equal("AUTH", fields[0]);
        Assert.Equal("PLAIN", fields[2]);
        Assert.Contains("service=smtp", fields);
        Assert.Contains("secured", fields);
        Assert.Contains("resp=" + Convert.ToBase64String(Encoding.UTF8.GetBytes("\0alice\0secret")), fields);
    }

    [Fact]
    public async Task Connection_ReusedForNextRequest()
    {
        await using var server = ScriptedDovecot.Start(id => $"OK\t{id}\tuser=alice");
        await using var client = NewClient(server);

        await client.VerifyAsync(Request, CancellationToken.None);
        await client.VerifyAsync(Request, CancellationToken.None);

        Assert.Equal(1, server.Connections);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Version_Unsupported_IsUnavailable()
    {
        await using var server = ScriptedDovecot.Start(id => $"OK\t{id}", version: "2");
        await using var client = NewClient(server);

        var check = await client.VerifyAsync(Request, CancellationToken.None);

        Assert.Equal(PasswordResult.Unavailable, check.Result);
    }

    [Fact]
    public async Task NoReply_TimesOutAsUnavailable()
    {
        await using var server = ScriptedDovecot.Start(_ => null);
        await using var client = new DovecotAuthClient(new DovecotEndpoint("127.0.0.1", server.Port, null), TimeSpan.FromMilliseconds(500), NullLogger<DovecotAuthClient>.Instance);

        var check = await client.VerifyAsync(Request, CancellationToken.None);

        Assert.Equal(PasswordResult.Unavailable, check.Result);
    }

    private static DovecotAuthClient NewClient(ScriptedDovecot server) =>
        new(new DovecotEndpoint("127.0.0.1", server.Port, null), TimeSpan.FromSeconds(10), NullLogger<DovecotAuthClient>.Instance);

    /// <summary>Speaks the server side of the handshake, then answers each AUTH line with the scripted reply (null: no reply).</summary>
    private sealed class ScriptedDovecot : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Func<string, string?> _reply;
        private readonly string _version;
        private readonly CancellationTokenSource _stop = new();
        private int _connections;

        private ScriptedDovecot(Func<string, string?> reply, string version)
        {
            _reply = reply;
            _version = version;
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Connections => _connections;

        public List<string> Requests { get; } = [];

        public static ScriptedDovecot Start(Func<string, string?> reply, string version = "1")
        {
            var server = new ScriptedDovecot(reply, version);
            server._listener.Start();
            _ = server.AcceptAsync();
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    Interlocked.Increment(ref _connections);
                    _ = ServeAsync(client);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // Stopped.
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.UTF8);
                await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n", AutoFlush = true };
                try
                {
                    await writer.WriteAsync($"VERSION\t{_version}\t2\nMECH\tPLAIN\tplaintext\nSPID\t1\nCUID\t1\nCOOKIE\t00\nDONE\n");
                    while (await reader.ReadLineAsync(_stop.Token) is { } line)
                    {
                        if (!line.StartsWith("AUTH\t", StringComparison.Ordinal))
                        {
                            continue;
                        }

                        lock (Requests)
                        {
                            Requests.Add(line);
                        }

                        var reply = _reply(line.Split('\t')[1]);
                        if (reply is not null)
                        {
                            await writer.WriteLineAsync(reply);
                        }
                    }
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
                {
                    // The client or the test ended the connection.
                }
            }
        }
    }
}
