using System.Text;
using Relayguard.Gateway.Smtp;

namespace Relayguard.Gateway.Tests.Smtp;

/// <summary>
/// Memory stays bounded whatever the client sends: an endless line and endless message data are discarded as
/// they arrive, and a large message is kept on disk. The managed heap is measured while 256 MiB go through the
/// protocol layer in this process. Buffering that input would grow the heap by hundreds of MiB.
/// </summary>
[Collection(MemoryTests.Collection)]
public sealed class MemoryTests
{
    /// <summary>A collection that runs alone, so that no other test's allocations count toward the measured heap.</summary>
    public const string Collection = "memory";

    private const long Sent = 256L * 1024 * 1024;
    private const long AllowedGrowth = 48L * 1024 * 1024;

    [Fact]
    public async Task EndlessLine_HeapStaysBounded()
    {
        await using var server = TestSmtpServer.Start();
        using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var peak = await SendAsync(client, Encoding.ASCII.GetBytes("NOOP " + new string('x', 64 * 1024 - 5)), Sent);
        var reply = await client.CommandAsync(string.Empty);
        var after = GC.GetTotalMemory(forceFullCollection: true);

        Assert.StartsWith("500 5.5.6", reply);
        Assert.StartsWith("250", await client.CommandAsync("NOOP"));
        Assert.True(peak - before < AllowedGrowth, $"The heap grew by {(peak - before) / 1024 / 1024} MiB while the line arrived.");
        Assert.True(after - before < AllowedGrowth, $"The heap kept {(after - before) / 1024 / 1024} MiB after the line.");
    }

    [Fact]
    public async Task EndlessData_HeapStaysBoundedAndSizeRefused()
    {
        await using var server = TestSmtpServer.Start(new SmtpLimits { MessageSize = 35L * 1024 * 1024 });
        using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("MAIL FROM:<a@example.com>");
        await client.CommandAsync("RCPT TO:<b@example.net>");
        await client.CommandAsync("DATA");
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var line = Encoding.ASCII.GetBytes(new string('y', 998) + "\r\n");
        var chunk = Enumerable.Repeat(line, 64).SelectMany(bytes => bytes).ToArray();
        var peak = await SendAsync(client, chunk, Sent);
        var reply = await client.CommandAsync(".");
        var after = GC.GetTotalMemory(forceFullCollection: true);

        Assert.StartsWith("552 5.3.4", reply);
        Assert.Empty(server.Handler.Messages);
        Assert.True(peak - before < AllowedGrowth, $"The heap grew by {(peak - before) / 1024 / 1024} MiB while the data arrived.");
        Assert.True(after - before < AllowedGrowth, $"The heap kept {(after - before) / 1024 / 1024} MiB after the data.");
        Assert.Empty(Directory.EnumerateFiles(server.SpoolDirectory));
    }

    [Fact]
    public async Task LargeMessage_SpooledToDisk()
    {
        await using var server = TestSmtpServer.Start();
        using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("MAIL FROM:<a@example.com> SIZE=36000000");
        await client.CommandAsync("RCPT TO:<b@example.net>");
        await client.CommandAsync("DATA");
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var line = Encoding.ASCII.GetBytes(new string('z', 998) + "\r\n");
        var chunk = Enumerable.Repeat(line, 64).SelectMany(bytes => bytes).ToArray();
        var size = 35L * 1024 * 1024 - chunk.Length;
        var peak = await SendAsync(client, chunk, size);
        var reply = await client.CommandAsync(".");

        Assert.StartsWith("250", reply);
        var message = Assert.Single(server.Handler.Messages);
        Assert.True(message.SpooledToDisk);
        Assert.Equal(size / chunk.Length * chunk.Length, message.Length);
        Assert.True(peak - before < AllowedGrowth, $"The heap grew by {(peak - before) / 1024 / 1024} MiB while the message arrived.");
        Assert.Empty(Directory.EnumerateFiles(server.SpoolDirectory));
    }

    /// <summary>Sends <paramref name="chunk"/> until about <paramref name="total"/> octets went out; returns the largest heap size seen meanwhile.</summary>
    private static async Task<long> SendAsync(LineClient client, byte[] chunk, long total)
    {
        var peak = 0L;
        for (var sent = 0L; sent + chunk.Length <= total; sent += chunk.Length)
        {
            await client.SendAsync(chunk);
            if (sent % (8 * 1024 * 1024) < chunk.Length)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
            }
        }

        return peak;
    }
}
