using System.IO.Pipelines;
using System.Text;
using Relayguard.Gateway.Smtp;

namespace Relayguard.Gateway.Tests.Smtp;

public sealed class SmtpInputTests
{
    [Theory]
    [InlineData("Subject: a\r\n\r\nbody\r\n.\r\n", "Subject: a\r\n\r\nbody\r\n", false)]
    [InlineData("..leading dot\r\n.\r\n", ".leading dot\r\n", false)]
    [InlineData(".\r\n", "", false)]
    [InlineData("a\nb\r\n.\r\n", "a\nb\r\n", true)]
    [InlineData("a\rb\r\n.\r\n", "a\rb\r\n", true)]
    public async Task ReadData_EndsAtCrLfDotCrLf(string wire, string expected, bool bare)
    {
        var (data, ended, rest) = await ReadAsync(wire + "NOOP\r\n", normalize: false, chunk: 1);

        Assert.True(ended);
        Assert.Equal(expected, Read(data));
        Assert.Equal(bare, data.HadBareLineEnding);
        Assert.Equal("NOOP", rest);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4096)]
    public async Task ReadData_BareLfDot_DoesNotEndData(int chunk)
    {
        var (data, ended, rest) = await ReadAsync("first\n.\r\nMAIL FROM:<evil@x.test>\r\n.\r\nQUIT\r\n", normalize: false, chunk);

        Assert.True(ended);
        Assert.True(data.HadBareLineEnding);
        Assert.Contains("MAIL FROM:<evil@x.test>", Read(data));
        Assert.Equal("QUIT", rest);
    }

    [Fact]
    public async Task ReadData_Normalize_WritesCrLf()
    {
        var (data, _, _) = await ReadAsync("a\nb\r\n.\r\n", normalize: true, chunk: 2);

        Assert.Equal("a\r\nb\r\n", Read(data));
    }

    [Fact]
    public async Task ReadData_OverLimit_KeepsReadingButStoresNoMore()
    {
        var body = new string('x', 5000) + "\r\n.\r\n";
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes(body));
        await pipe.Writer.CompleteAsync();
        var input = new SmtpInput(pipe.Reader, () => ValueTask.CompletedTask);
        using var data = new MessageData(Path.GetTempPath(), 1024, 2048);

        Assert.True(await input.ReadDataAsync(data, normalize: false, received: null, CancellationToken.None));
        Assert.True(data.TooLarge);
        Assert.Equal(5002, data.Length);
    }

    [Fact]
    public async Task ReadLine_TooLong_DiscardedThenNextLineRead()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes(new string('A', 3000) + "\r\nNOOP\r\n"));
        await pipe.Writer.CompleteAsync();
        var input = new SmtpInput(pipe.Reader, () => ValueTask.CompletedTask);

        var first = await input.ReadLineAsync(1000, CancellationToken.None);
        var second = await input.ReadLineAsync(1000, CancellationToken.None);

        Assert.True(first!.IsTooLong);
        Assert.Equal("NOOP", second!.Text);
    }

    [Fact]
    public async Task MessageData_PastThreshold_SpoolsToDisk()
    {
        using var data = new MessageData(Path.Combine(Path.GetTempPath(), "relayguard-spool-test"), 16, 1 << 20);
        data.Write(Encoding.ASCII.GetBytes(new string('y', 100)));

        Assert.True(data.IsSpooledToDisk);
        await using var stream = data.OpenRead();
        Assert.Equal(100, stream.Length);
    }

    private static async Task<(MessageData Data, bool Ended, string? Remainder)> ReadAsync(string wire, bool normalize, int chunk)
    {
        var pipe = new Pipe();
        var bytes = Encoding.ASCII.GetBytes(wire);
        for (var i = 0; i < bytes.Length; i += chunk)
        {
            await pipe.Writer.WriteAsync(bytes.AsMemory(i, Math.Min(chunk, bytes.Length - i)));
        }

        await pipe.Writer.CompleteAsync();
        var input = new SmtpInput(pipe.Reader, () => ValueTask.CompletedTask);
        var data = new MessageData(Path.GetTempPath(), 1 << 16, 1 << 20);
        var ended = await input.ReadDataAsync(data, normalize, received: null, CancellationToken.None);
        var rest = await input.ReadLineAsync(1000, CancellationToken.None);
        return (data, ended, rest?.Text);
    }

    private static string Read(MessageData data)
    {
        using var stream = data.OpenRead();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return reader.ReadToEnd();
    }
}
