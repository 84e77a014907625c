using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Relayguard.Gateway.Tests.Smtp;

/// <summary>A client that writes exactly the bytes a test gives and reads whole SMTP replies.</summary>
internal sealed class LineClient : IDisposable
{
    private readonly TcpClient _client = new();
    private NetworkStream _stream = null!;
    private readonly byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;

    public string Greeting { get; private set; } = string.Empty;

    public static async Task<LineClient> ConnectAsync(IPEndPoint endPoint)
    {
        var client = new LineClient();
        await client._client.ConnectAsync(endPoint);
        client._stream = client._client.GetStream();
        client.Greeting = await client.ReadReplyAsync();
        return client;
    }

    public async Task<string> CommandAsync(string line)
    {
        await SendAsync(line + "\r\n");
        return await ReadReplyAsync();
    }

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
    }

    /// <summary>Reads one reply, continuation lines joined by LF; null when the server closed the connection first.</summary>
    public async Task<string?> TryReadReplyAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync(cancel.Token);
            if (line is null)
            {
                return lines.Count == 0 ? null : string.Join('\n', lines);
            }

            lines.Add(line);
            if (line.Length < 4 || line[3] != '-')
            {
                return string.Join('\n', lines);
            }
        }
    }

    public async Task<string> ReadReplyAsync() =>
        await TryReadReplyAsync() ?? throw new IOException("The server closed the connection instead of replying.");

    /// <summary>Returns true when the server closed the connection (reads end of stream) within the timeout.</summary>
    public async Task<bool> IsClosedAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            return await ReadLineAsync(cancel.Token) is null;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public void Dispose() => _client.Dispose();

    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new List<byte>();
        while (true)
        {
            while (_start < _end)
            {
                var b = _buffer[_start++];
                if (b == (byte)'\n')
                {
                    return Encoding.UTF8.GetString(line.ToArray()).TrimEnd('\r');
                }

                line.Add(b);
            }

            _start = 0;
            _end = await _stream.ReadAsync(_buffer, cancellationToken);
            if (_end == 0)
            {
                return null;
            }
        }
    }
}
