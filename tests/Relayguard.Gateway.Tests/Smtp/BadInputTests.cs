using System.Text;
using Relayguard.Gateway.Smtp;

namespace Relayguard.Gateway.Tests.Smtp;

/// <summary>Malformed and hostile input: each gets the right reply, and the session survives or ends cleanly.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private TestSmtpServer _server = null!;

    public Task InitializeAsync()
    {
        _server = TestSmtpServer.Start(new SmtpLimits { MessageSize = 64 * 1024 });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Nul_InCommand_Gets500AndSessionSurvives()
    {
        using var client = await EhloAsync();

        var reply = await client.CommandAsync("MAIL FROM:<a\0b@example.com>");

        Assert.StartsWith("500 5.5.2", reply);
        Assert.StartsWith("250", await client.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task Nul_InEhloName_Gets500()
    {
        using var client = await _server.ConnectAsync();

        Assert.StartsWith("500 5.5.2", await client.CommandAsync("EHLO client\0.test"));
    }

    [Fact]
    public async Task InvalidUtf8_InCommand_Gets500()
    {
        using var client = await EhloAsync();
        await client.SendAsync([.. "MAIL FROM:<a\xff\xfe@example.com> SMTPUTF8\r\n"u8.ToArray().Take(11), 0xFF, 0xFE, .. "@example.com> SMTPUTF8\r\n"u8.ToArray()]);

        Assert.StartsWith("500 5.5.2", await client.ReadReplyAsync());
        Assert.StartsWith("250", await client.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task EightBitData_WithoutBodyParameter_Accepted()
    {
        using var client = await EhloAsync();
        await client.CommandAsync("MAIL FROM:<a@example.com>");
        await client.CommandAsync("RCPT TO:<b@example.net>");
        await client.CommandAsync("DATA");

        var reply = await client.CommandAsync("Subject: caf\u00e9\r\n\r\nna\u00efve r\u00e9sum\u00e9\r\n.");

        Assert.StartsWith("250", reply);
        var message = Assert.Single(_server.Handler.Messages);
        Assert.True(message.Had8Bit);
        Assert.Contains("na\u00efve", Encoding.UTF8.GetString(message.Content));
    }

    [Fact]
    public async Task SmtpUtf8_Address_AcceptedWithParameter()
    {
        using var client = await EhloAsync();

        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<j\u00f6rg@b\u00fccher.example> SMTPUTF8"));
        Assert.StartsWith("250", await client.CommandAsync("RCPT TO:<\u7528\u6237@\u4f8b\u5b50.\u6d4b\u8bd5>"));
    }

    [Fact]
    public async Task SmtpUtf8_AddressWithoutParameter_Gets553()
    {
        using var client = await EhloAsync();

        Assert.StartsWith("553 5.6.7", await client.CommandAsync("MAIL FROM:<j\u00f6rg@b\u00fccher.example>"));
        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<jorg@example.com>"));
        Assert.StartsWith("553 5.6.7", await client.CommandAsync("RCPT TO:<\u7528\u6237@\u4f8b\u5b50.\u6d4b\u8bd5>"));
    }

    [Fact]
    public async Task Pipelining_Burst_RepliesInOrder()
    {
        using var client = await EhloAsync();
        var burst = new StringBuilder();
        burst.Append("MAIL FROM:<a@example.com>\r\n");
        for (var i = 0; i < 50; i++)
        {
            burst.Append(System.Globalization.CultureInfo.InvariantCulture, $"RCPT TO:<r{i}@example.net>\r\n");
        }

        burst.Append("DATA\r\nSubject: burst\r\n\r\nbody\r\n.\r\nNOOP\r\n");

        await client.SendAsync(burst.ToString());
        var replies = new List<string>();
        for (var i = 0; i < 54; i++)
        {
            replies.Add(await client.ReadReplyAsync());
        }

        Assert.StartsWith("250 2.1.0", replies[0]);
        Assert.All(replies.Skip(1).Take(50), reply => Assert.StartsWith("250 2.1.5", reply));
        Assert.StartsWith("354", replies[51]);
        Assert.StartsWith("250 2.0.0", replies[52]);
        Assert.StartsWith("250", replies[53]);
        Assert.Equal(50, Assert.Single(_server.Handler.Messages).Recipients.Count);
    }

    [Fact]
    public async Task Commands_AfterQuit_NotExecuted()
    {
        using var client = await EhloAsync();

        await client.SendAsync("QUIT\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.net>\r\nDATA\r\nx\r\n.\r\n");

        Assert.StartsWith("221", await client.ReadReplyAsync());
        Assert.Null(await client.TryReadReplyAsync(TimeSpan.FromSeconds(5)));
        Assert.Empty(_server.Handler.Messages);
    }

    [Fact]
    public async Task Auth_HugeInitialResponse_Gets500()
    {
        using var client = await EhloAsync();

        var reply = await client.CommandAsync("AUTH PLAIN " + new string('A', 5000));

        Assert.StartsWith("500 5.5.6", reply);
        Assert.StartsWith("250", await client.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task Auth_HugeChallengeResponse_Gets500()
    {
        using var client = await EhloAsync();
        await client.CommandAsync("AUTH LOGIN");

        var reply = await client.CommandAsync(new string('A', 1_000_000));

        Assert.StartsWith("500 5.5.6", reply);
        Assert.StartsWith("250", await client.CommandAsync("NOOP"));
    }

    [Theory]
    [InlineData("AUTH PLAIN not*base64")]
    [InlineData("AUTH PLAIN ////")]
    [InlineData("AUTH LOGIN %%%")]
    public async Task Auth_InvalidBase64_Gets501(string command)
    {
        using var client = await EhloAsync();

        Assert.StartsWith("501", await client.CommandAsync(command));
        Assert.StartsWith("250", await client.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task Auth_PlainWithoutSeparators_Gets501()
    {
        using var client = await EhloAsync();

        Assert.StartsWith("501", await client.CommandAsync("AUTH PLAIN " + Convert.ToBase64String("usersecret"u8.ToArray())));
    }

    [Fact]
    public async Task Auth_InvalidUtf8InCredentials_Gets501()
    {
        using var client = await EhloAsync();

        Assert.StartsWith("501", await client.CommandAsync("AUTH PLAIN " + Convert.ToBase64String([0, 0xFF, 0xFE, 0, 0x61])));
    }

    [Theory]
    [InlineData("MAIL FROM:alice@example.com")]
    [InlineData("MAIL FROM:<alice@example.com")]
    [InlineData("MAIL FROM:<alice@>")]
    [InlineData("MAIL FROM:<@example.com>")]
    [InlineData("MAIL FROM:<alice>")]
    [InlineData("MAIL FROM:<a..b@example.com>")]
    [InlineData("MAIL FROM:<.a@example.com>")]
    [InlineData("MAIL FROM:<alice@-example.com>")]
    [InlineData("MAIL FROM:<alice@exa_mple.com>")]
    [InlineData("MAIL FROM:<alice@example..com>")]
    [InlineData("MAIL FROM:<a b@example.com>")]
    [InlineData("MAIL FROM:<\"unclosed@example.com>")]
    [InlineData("MAIL FROM:<alice@[192.0.2.1>")]
    [InlineData("MAIL FROM:<@relay.example>")]
    [InlineData("MAIL FROM:<alice@example.com>SIZE=10")]
    [InlineData("MAIL TO:<alice@example.com>")]
    [InlineData("MAIL FROM:<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com>")]
    public async Task Address_Malformed_Gets501(string command)
    {
        using var client = await EhloAsync();

        Assert.StartsWith("501", await client.CommandAsync(command));
        Assert.StartsWith("250", await client.CommandAsync("NOOP"));
    }

    [Theory]
    [InlineData("RCPT TO:<b@example.net")]
    [InlineData("RCPT TO:b@example.net")]
    [InlineData("RCPT TO:<b@>")]
    [InlineData("RCPT FROM:<b@example.net>")]
    public async Task Recipient_Malformed_Gets501(string command)
    {
        using var client = await EhloAsync();
        await client.CommandAsync("MAIL FROM:<a@example.com>");

        Assert.StartsWith("501", await client.CommandAsync(command));
    }

    [Fact]
    public async Task Data_BareCr_Refused550()
    {
        using var client = await EhloAsync();
        await client.CommandAsync("MAIL FROM:<a@example.com>");
        await client.CommandAsync("RCPT TO:<b@example.net>");
        await client.CommandAsync("DATA");

        var reply = await client.CommandAsync("Subject: x\r\n\r\nfirst\r.\rsecond\r\n.");

        Assert.StartsWith("550 5.5.2", reply);
        Assert.Empty(_server.Handler.Messages);
        Assert.StartsWith("250", await client.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task Data_NulBytes_Delivered()
    {
        using var client = await EhloAsync();
        await client.CommandAsync("MAIL FROM:<a@example.com>");
        await client.CommandAsync("RCPT TO:<b@example.net>");
        await client.CommandAsync("DATA");

        var reply = await client.CommandAsync("Subject: x\r\n\r\na\0b\r\n.");

        // The protocol layer passes NUL through; the session handler decides (the gateway's MIME parser reads it as data).
        Assert.StartsWith("250", reply);
    }

    [Fact]
    public async Task Errors_TooMany_CloseSession()
    {
        using var client = await EhloAsync();
        string? last = null;
        for (var i = 0; i < 10; i++)
        {
            last = await client.CommandAsync("XYZZY");
        }

        var closing = await client.ReadReplyAsync();

        Assert.StartsWith("500", last);
        Assert.StartsWith("421 4.7.0", closing);
        Assert.True(await client.IsClosedAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Disconnect_MidData_AbandonsTransaction()
    {
        using (var client = await EhloAsync())
        {
            await client.CommandAsync("MAIL FROM:<a@example.com>");
            await client.CommandAsync("RCPT TO:<b@example.net>");
            await client.CommandAsync("DATA");
            await client.SendAsync("Subject: cut\r\n\r\nhalf a message");
        }

        await WaitUntilAsync(() => _server.ActiveSessions == 0);

        Assert.Empty(_server.Handler.Messages);
        Assert.Single(_server.Handler.Abandoned);
    }

    private async Task<LineClient> EhloAsync()
    {
        var client = await _server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        return client;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for the condition.");
            await Task.Delay(20);
        }
    }
}
