using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Relayguard.DistributedTests.Infrastructure;

/// <summary>A plain SMTP client on loopback that returns every reply as text, optionally from a chosen local address.</summary>
public sealed class SmtpTestClient : IDisposable
{
    private readonly Socket _socket;
    private NetworkStream _stream = null!;
    private StreamReader _reader = null!;

    private SmtpTestClient(Socket socket)
    {
        _socket = socket;
    }

    public string Greeting { get; private set; } = string.Empty;

    /// <summary>Connects to 127.0.0.1:<paramref name="port"/>, from <paramref name="localAddress"/> when given (any 127.0.0.0/8 address works on Linux).</summary>
    public static async Task<SmtpTestClient> ConnectAsync(int port, IPAddress? localAddress = null, byte[]? preamble = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (localAddress is not null)
        {
            socket.Bind(new IPEndPoint(localAddress, 0));
        }

        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        var client = new SmtpTestClient(socket);
        client._stream = new NetworkStream(socket, ownsSocket: false);
        client._reader = new StreamReader(client._stream, Encoding.Latin1);
        if (preamble is not null)
        {
            await client._stream.WriteAsync(preamble);
        }

        client.Greeting = await client.ReadReplyAsync();
        return client;
    }

    public async Task<string> CommandAsync(string line)
    {
        await _stream.WriteAsync(Encoding.Latin1.GetBytes(line + "\r\n"));
        return await ReadReplyAsync();
    }

    /// <summary>EHLO and AUTH PLAIN; returns the AUTH reply.</summary>
    public async Task<string> LoginAsync(string user, string password)
    {
        await CommandAsync("EHLO client.test");
        return await CommandAsync("AUTH PLAIN " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}")));
    }

    /// <summary>Sends one message; returns the first refusal (MAIL, every RCPT refused, DATA) or the final reply.</summary>
    public async Task<string> SendAsync(string from, IReadOnlyList<string> recipients, string subject)
    {
        var mail = await CommandAsync($"MAIL FROM:<{from}>");
        if (!mail.StartsWith("250", StringComparison.Ordinal))
        {
            return mail;
        }

        var accepted = 0;
        foreach (var recipient in recipients)
        {
            accepted += (await CommandAsync($"RCPT TO:<{recipient}>")).StartsWith("250", StringComparison.Ordinal) ? 1 : 0;
        }

        if (accepted == 0)
        {
            await CommandAsync("RSET");
            return "no recipient accepted";
        }

        var data = await CommandAsync("DATA");
        if (!data.StartsWith("354", StringComparison.Ordinal))
        {
            return data;
        }

        var message = $"From: <{from}>\r\nTo: <{recipients[0]}>\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@client.test>\r\n\r\nA test message.\r\n.";
        return await CommandAsync(message);
    }

    public async Task<string> ReadReplyAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
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

    public void Dispose()
    {
        _reader?.Dispose();
        _stream?.Dispose();
        _socket.Dispose();
    }
}
