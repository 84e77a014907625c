using System.Text;
using Relayguard.Gateway.Smtp;

namespace Relayguard.Gateway.Tests.Smtp;

/// <summary>Each protocol limit with its standard reply.</summary>
public sealed class LimitsTests
{
    [Fact]
    public async Task MessageSize_ExceededWithoutSizeParameter_Gets552()
    {
        await using var server = TestSmtpServer.Start(new SmtpLimits { MessageSize = 10_000 });
        using var client = await TransactionAsync(server);

        var reply = await client.CommandAsync("Subject: big\r\n\r\n" + new string('x', 20_000) + "\r\n.");

        Assert.StartsWith("552 5.3.4", reply);
        Assert.Empty(server.Handler.Messages);
        Assert.StartsWith("250", await client.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task MessageSize_AtLimit_Accepted()
    {
        await using var server = TestSmtpServer.Start(new SmtpLimits { MessageSize = 10_000 });
        using var client = await TransactionAsync(server);
        var body = new string('x', 10_000 - "Subject: ok\r\n\r\n".Length - 2);

        var reply = await client.CommandAsync("Subject: ok\r\n\r\n" + body + "\r\n.");

        Assert.StartsWith("250", reply);
        Assert.Equal(10_000, Assert.Single(server.Handler.Messages).Length);
    }

    [Fact]
    public async Task Recipients_OverLimit_Gets452()
    {
        await using var server = TestSmtpServer.Start();
        using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("MAIL FROM:<a@example.com>");
        for (var i = 0; i < 100; i++)
        {
            Assert.StartsWith("250", await client.CommandAsync($"RCPT TO:<r{i}@example.net>"));
        }

        Assert.StartsWith("452 4.5.3", await client.CommandAsync("RCPT TO:<one-more@example.net>"));
    }

    [Fact]
    public async Task CommandLine_OverLimit_Gets500()
    {
        await using var server = TestSmtpServer.Start();
        using var client = await server.ConnectAsync();

        // 998 octets plus CRLF is the longest line allowed by the default limit of 1000 octets; one more is too long.
        var longest = await client.CommandAsync("NOOP " + new string('x', 993));
        var tooLong = await client.CommandAsync("NOOP " + new string('x', 994));

        Assert.StartsWith("250", longest);
        Assert.StartsWith("500 5.5.6", tooLong);
    }

    [Fact]
    public async Task CommandsPerSession_Exceeded_Gets421AndCloses()
    {
        await using var server = TestSmtpServer.Start(new SmtpLimits { CommandsPerSession = 10 });
        using var client = await server.ConnectAsync();
        for (var i = 0; i < 10; i++)
        {
            Assert.StartsWith("250", await client.CommandAsync("NOOP"));
        }

        Assert.StartsWith("421 4.7.0", await client.CommandAsync("NOOP"));
        Assert.True(await client.IsClosedAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task CommandsPerSession_AcceptedMessageResetsCount()
    {
        await using var server = TestSmtpServer.Start(new SmtpLimits { CommandsPerSession = 10 });
        using var client = await server.ConnectAsync();
        Assert.StartsWith("250", await client.CommandAsync("EHLO client.test"));

        // Five messages take 15 commands after EHLO, more than the limit, and each accepted message starts the count again.
        for (var i = 0; i < 5; i++)
        {
            Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<a@example.com>"));
            Assert.StartsWith("250", await client.CommandAsync("RCPT TO:<b@example.net>"));
            Assert.StartsWith("354", await client.CommandAsync("DATA"));
            Assert.StartsWith("250", await client.CommandAsync($"Subject: {i}\r\n\r\nbody\r\n."));
        }

        for (var i = 0; i < 10; i++)
        {
            Assert.StartsWith("250", await client.CommandAsync("NOOP"));
        }

        Assert.StartsWith("421 4.7.0", await client.CommandAsync("NOOP"));
        Assert.True(await client.IsClosedAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task CommandTimeout_Idle_Gets421AndCloses()
    {
        await using var server = TestSmtpServer.Start(new SmtpLimits { CommandTimeout = TimeSpan.FromMilliseconds(500) });
        using var client = await server.ConnectAsync();

        var reply = await client.TryReadReplyAsync(TimeSpan.FromSeconds(10));

        Assert.StartsWith("421 4.4.2", reply);
        Assert.True(await client.IsClosedAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task DataTimeout_Stalled_Gets421()
    {
        await using var server = TestSmtpServer.Start(new SmtpLimits { DataTimeout = TimeSpan.FromMilliseconds(500) });
        using var client = await TransactionAsync(server);
        await client.SendAsync("Subject: stalled\r\n\r\nand then nothing");

        var reply = await client.TryReadReplyAsync(TimeSpan.FromSeconds(10));

        Assert.StartsWith("421 4.4.2", reply);
        Assert.Empty(server.Handler.Messages);
    }

    [Fact]
    public async Task DataTimeout_SlowButSteadyUpload_Accepted()
    {
        // The timeout bounds each pause, not the whole upload: a slow client that keeps sending gets through. The
        // pauses are the slow client itself, a quarter of the timeout each.
        await using var server = TestSmtpServer.Start(new SmtpLimits { DataTimeout = TimeSpan.FromSeconds(2) });
        using var client = await TransactionAsync(server);
        await client.SendAsync("Subject: slow\r\n\r\n");
        for (var i = 0; i < 12; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            await client.SendAsync($"line {i}\r\n");
        }

        await client.SendAsync(".\r\n");

        Assert.StartsWith("250", await client.ReadReplyAsync());
    }

    [Fact]
    public async Task DataDuration_TrickledUpload_Gets421()
    {
        await using var server = TestSmtpServer.Start(new SmtpLimits { DataTimeout = TimeSpan.FromSeconds(30), DataDuration = TimeSpan.FromSeconds(1) });
        using var client = await TransactionAsync(server);
        await client.SendAsync("Subject: trickle\r\n\r\n");
        using var stop = new CancellationTokenSource();
        var trickle = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await client.SendAsync("x\r\n");
                    await Task.Delay(TimeSpan.FromMilliseconds(200), stop.Token);
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or System.Net.Sockets.SocketException)
            {
                // The server closed the connection, or the test has its reply.
            }
        });

        var reply = await client.TryReadReplyAsync(TimeSpan.FromSeconds(15));
        await stop.CancelAsync();
        await trickle;

        Assert.NotNull(reply);
        Assert.StartsWith("421 4.4.2", reply);
        Assert.Empty(server.Handler.Messages);
    }

    [Fact]
    public async Task Sessions_TotalAcrossListeners_Refused421()
    {
        var counter = new SessionCounter(2);
        await using var first = TestSmtpServer.Start(counter: counter);
        await using var second = TestSmtpServer.Start(counter: counter);
        using var a = await first.ConnectAsync();
        using var b = await second.ConnectAsync();

        using var c = await second.ConnectAsync();

        Assert.StartsWith("220", a.Greeting);
        Assert.StartsWith("220", b.Greeting);
        Assert.StartsWith("421 4.3.2", c.Greeting);
    }

    [Fact]
    public async Task Sessions_SlotFreedAfterQuit()
    {
        var counter = new SessionCounter(1);
        await using var server = TestSmtpServer.Start(counter: counter);
        using (var first = await server.ConnectAsync())
        {
            await first.CommandAsync("QUIT");
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (counter.Active > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        using var second = await server.ConnectAsync();
        Assert.StartsWith("220", second.Greeting);
    }

    private static async Task<LineClient> TransactionAsync(TestSmtpServer server)
    {
        var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("MAIL FROM:<a@example.com>");
        await client.CommandAsync("RCPT TO:<b@example.net>");
        Assert.StartsWith("354", await client.CommandAsync("DATA"));
        return client;
    }
}
