using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Relayguard.IntegrationTests.Infrastructure;

/// <summary>An SMTP client that sends exactly the bytes a test gives, for protocol cases MailKit would never produce.</summary>
public sealed class RawSmtpClient : IDisposable
{
    private readonly TcpClient _client = new();
    private Stream _stream = null!;
    private StreamReader _reader = null!;

    public static async Task<RawSmtpClient> ConnectAsync(IPEndPoint endPoint)
    {
        var raw = new RawSmtpClient();
        await raw._client.ConnectAsync(endPoint);
        raw._stream = raw._client.GetStream();
        raw._reader = new StreamReader(raw._stream, Encoding.UTF8);
        raw.Greeting = await raw.ReadReplyAsync();
        return raw;
    }

    public string Greeting { get; private set; } = string.Empty;

    /// <summary>Sends one command line and returns the whole reply (continuation lines joined by newlines).</summary>
    public async Task<string> CommandAsync(string line)
    {
        await SendAsync(line + "\r\n");
        return await ReadReplyAsync();
    }

    public async Task SendAsync(string bytes) => await SendAsync(Encoding.UTF8.GetBytes(bytes));

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    public Task<string> ReadReplyAsync() => ReadReplyAsync(TimeSpan.FromSeconds(30));

    /// <summary>Reads one reply, waiting up to <paramref name="wait"/> for it.</summary>
    public async Task<string> ReadReplyAsync(TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        var lines = new List<string>();
        while (true)
        {
            var line = await _reader.ReadLineAsync(timeout.Token) ?? throw new IOException($"The server closed the connection after: {string.Join(" | ", lines)}");
            lines.Add(line);
            if (line.Length < 4 || line[3] != '-')
            {
                return string.Join("\n", lines);
            }
        }
    }

    /// <summary>Sends STARTTLS and, after its 220, continues over TLS with a server that presents <paramref name="certificate"/>.</summary>
    public async Task<string> StartTlsAsync(TestCertificate certificate)
    {
        var reply = await CommandAsync("STARTTLS");
        if (!reply.StartsWith("220", StringComparison.Ordinal))
        {
            return reply;
        }

        var tls = new System.Net.Security.SslStream(_stream, leaveInnerStreamOpen: false, (_, presented, _, _) => presented?.GetCertHashString() == certificate.Thumbprint);
        await tls.AuthenticateAsClientAsync("gateway.test");
        _stream = tls;
        _reader = new StreamReader(tls, Encoding.UTF8);
        return reply;
    }

    /// <summary>EHLO and AUTH PLAIN; returns the AUTH reply.</summary>
    public async Task<string> LoginAsync(string user, string password)
    {
        await CommandAsync("EHLO client.test");
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));
        return await CommandAsync($"AUTH PLAIN {credentials}");
    }

    public void Dispose()
    {
        _reader?.Dispose();
        _client.Dispose();
    }
}
