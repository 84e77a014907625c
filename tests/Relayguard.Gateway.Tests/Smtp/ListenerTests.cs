using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Relayguard.Gateway.Smtp;

namespace Relayguard.Gateway.Tests.Smtp;

public sealed class ListenerTests
{
    [Fact]
    public async Task SecondListener_SamePort_FailsNamingAddress()
    {
        await using var first = TestSmtpServer.Start();
        var spool = Directory.CreateTempSubdirectory("relayguard-spool-").FullName;
        var options = new SmtpListenerOptions
        {
            Name = "second",
            EndPoint = first.EndPoint,
            HostName = "gateway.test",
            Limits = new SmtpLimits(),
        };
        var second = new SmtpListener(options, new StubSessionHandler(), spool, new SessionCounter(10), NullLogger.Instance);
        try
        {
            var exception = Assert.Throws<IOException>(second.Start);

            Assert.Contains($"'second' cannot listen on {first.EndPoint}", exception.Message, StringComparison.Ordinal);
            Assert.Contains("already in use", exception.Message, StringComparison.Ordinal);
        }
        finally
        {
            await second.StopAsync(TimeSpan.Zero);
            Directory.Delete(spool, recursive: true);
        }
    }

    [Fact]
    public async Task Stop_SessionBetweenTransactions_Gets421AtOnce()
    {
        await using var server = TestSmtpServer.Start();
        using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");

        var stopping = server.StopAsync(TimeSpan.FromSeconds(60));
        var reply = await client.TryReadReplyAsync(TimeSpan.FromSeconds(10));

        Assert.StartsWith("421 4.3.2", reply);
        Assert.Same(stopping, await Task.WhenAny(stopping, Task.Delay(TimeSpan.FromSeconds(10))));
    }

    [Fact]
    public async Task Stop_SessionInTransaction_FinishesItThenGets421()
    {
        await using var server = TestSmtpServer.Start();
        using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("MAIL FROM:<alice@example.com>");
        await client.CommandAsync("RCPT TO:<bob@example.net>");

        var stopping = server.StopAsync(TimeSpan.FromSeconds(60));
        var data = await client.CommandAsync("DATA");
        await client.SendAsync("Subject: last one\r\n\r\nHello.\r\n.\r\n");
        var accepted = await client.ReadReplyAsync();
        var after = await client.TryReadReplyAsync(TimeSpan.FromSeconds(10));

        Assert.StartsWith("354", data);
        Assert.StartsWith("250", accepted);
        Assert.StartsWith("421 4.3.2", after);
        Assert.Same(stopping, await Task.WhenAny(stopping, Task.Delay(TimeSpan.FromSeconds(10))));
    }
}
