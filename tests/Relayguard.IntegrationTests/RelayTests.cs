using System.Net.Http.Json;
using MailKit;
using MailKit.Net.Smtp;
using MimeKit;
using Relayguard.IntegrationTests.Infrastructure;
using Relayguard.ServiceDefaults;

namespace Relayguard.IntegrationTests;

/// <summary>A customer's mail program submits through the embedded gateway to Postfix's smtp-sink.</summary>
public sealed class RelayTests
{
    private const string Password = "correct horse battery staple";

    [Fact]
    public async Task Relay_ArrivesIntactWithReceivedHeader()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await StartAsync(sink.Endpoint);
        relayguard.AddAccount("alice", Password);

        // Folded headers, odd spacing, 8-bit text without BODY=8BITMIME, a multipart body and a dot-stuffed line:
        // everything a re-serialising relay would be tempted to change.
        var original = string.Join("\r\n",
            "From: Alice <alice@customer.test>",
            "To: bob@example.net",
            "Subject:   Quarterly figures,",
            "\tfolded  over two lines",
            "Message-ID: <intact-1@customer.test>",
            "Date: Fri, 04 Dec 2026 09:30:00 +0100",
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"b1\"",
            "",
            "preamble",
            "--b1",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "",
            "Caf\u00e9 au lait, na\u00efve r\u00e9sum\u00e9.",
            ".a line that starts with a dot",
            "trailing spaces   ",
            "--b1--",
            "epilogue",
            "");
        string reply;
        using (var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint))
        {
            Assert.StartsWith("235", await raw.LoginAsync("alice", Password));
            Assert.StartsWith("250", await raw.CommandAsync("MAIL FROM:<alice@customer.test>"));
            Assert.StartsWith("250", await raw.CommandAsync("RCPT TO:<bob@example.net>"));
            Assert.StartsWith("354", await raw.CommandAsync("DATA"));
            await raw.SendAsync(original.Replace("\r\n.a line", "\r\n..a line", StringComparison.Ordinal) + ".\r\n");
            reply = await raw.ReadReplyAsync();
            Assert.StartsWith("250 2.0.0 Message accepted as ", reply);
        }

        // The operator's one log line for the message, with the upstream's reply to follow it there.
        var messageId = reply["250 2.0.0 Message accepted as ".Length..].Trim();
        Assert.Contains(relayguard.Logs.Lines, line => line.Contains(
            $"Message {messageId} relayed: account alice, client 127.0.0.1, from <alice@customer.test>, 1 of 1 recipients accepted, ", StringComparison.Ordinal)
            && line.Contains($" bytes; {sink.Endpoint} said ", StringComparison.Ordinal));

        await Wait.UntilAsync(() => sink.Messages().Count == 1, "smtp-sink to receive the message");
        var dumped = sink.Messages()[0];
        var received = ReceivedHeader(dumped);
        Assert.Contains("by gateway.test (Relayguard) with ESMTPA id ", received);
        Assert.Contains("([127.0.0.1])", received);

        // smtp-sink writes lines with LF endings and ends each record with one more LF; in between, the
        // message follows the gateway's Received header unchanged.
        var expected = original.Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.EndsWith("\n" + expected + "\n", dumped);
    }

    [Fact]
    public async Task Relay_DatabaseLocked_Gets250AndWritesLater()
    {
        // Another process locks the gateway's database for writing past its 30-second busy timeout, which fails writes
        // as a full disk does. The upstream already has the message, so the client must get 250, not a 4xx that makes it
        // send the message again, and the records are written once the database is free.
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await StartAsync(sink.Endpoint);
        relayguard.AddAccount("alice", Password);
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        Assert.StartsWith("235", await raw.LoginAsync("alice", Password));
        Assert.StartsWith("250", await raw.CommandAsync("MAIL FROM:<alice@customer.test>"));
        Assert.StartsWith("250", await raw.CommandAsync("RCPT TO:<bob@example.net>"));
        Assert.StartsWith("354", await raw.CommandAsync("DATA"));

        var reply = await SendWhileDatabaseLockedAsync(relayguard, raw, "From: alice@customer.test\r\nTo: bob@example.net\r\nSubject: locked\r\n\r\nHello.\r\n.\r\n");

        Assert.StartsWith("250 2.0.0 Message accepted as ", reply);
        var gatewayId = reply["250 2.0.0 Message accepted as ".Length..].Trim();
        Assert.Contains(relayguard.Logs.Lines, line => line.Contains($"Message {gatewayId} went upstream, but writing ", StringComparison.Ordinal));
        await Wait.UntilAsync(
            () =>
            {
                using var connection = relayguard.Get<SqliteDatabase>().Open();
                return SqliteDatabase.Scalar(connection, $"SELECT COUNT(*) FROM message_index WHERE gateway_id = '{gatewayId}';") is 1L;
            },
            "the retry to write the message index entry",
            TimeSpan.FromSeconds(60));
        await Wait.UntilAsync(() => relayguard.Logs.Lines.Any(line => line.Contains($"Wrote the records of message {gatewayId}", StringComparison.Ordinal)), "the retry to write every record");
        Assert.Single(sink.Messages());
    }

    [Fact]
    public async Task BlockedSender_DatabaseLocked_Gets451NotDroppedConnection()
    {
        // Refusing a blocked sender writes an event. When that write fails, the client still gets a reply.
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await StartAsync(sink.Endpoint);
        relayguard.AddAccount("alice", Password);
        using (var ops = relayguard.OpsClient())
        {
            using var created = await ops.PostAsJsonAsync("/api/blocks", new { kind = "account", subject = "alice", reason = "abuse report" });
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }

        await Wait.UntilAsync(
            async () =>
            {
                using var probe = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
                await probe.LoginAsync("alice", Password);
                return (await probe.CommandAsync("MAIL FROM:<alice@customer.test>")).StartsWith("550", StringComparison.Ordinal);
            },
            "the block to reach the gateway");
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        Assert.StartsWith("235", await raw.LoginAsync("alice", Password));

        var reply = await SendWhileDatabaseLockedAsync(relayguard, raw, "MAIL FROM:<alice@customer.test>\r\n");

        Assert.Equal("451 4.3.0 Local error in processing, try again later", reply);
        Assert.StartsWith("221", await raw.CommandAsync("QUIT"));
    }

    [Fact]
    public async Task FailedLogin_DatabaseLocked_Gets454NotDroppedConnection()
    {
        // The fifth failed login starts a throttle, which is saved to the database. When that write fails, the client
        // still gets a reply.
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await StartAsync(sink.Endpoint);
        relayguard.AddAccount("alice", Password);
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        await raw.CommandAsync("EHLO client.test");
        var wrong = "AUTH PLAIN " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("\0alice\0wrong password"));
        for (var i = 0; i < new Relayguard.Gateway.Identity.AuthThrottleOptions().Failures - 1; i++)
        {
            Assert.StartsWith("535", await raw.CommandAsync(wrong));
        }

        var reply = await SendWhileDatabaseLockedAsync(relayguard, raw, wrong + "\r\n");

        Assert.Equal("454 4.7.0 Temporary authentication failure", reply);
        Assert.StartsWith("221", await raw.CommandAsync("QUIT"));
    }

    [Fact]
    public async Task Relay_MissingDateAndMessageId_Added()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await StartAsync(sink.Endpoint);
        relayguard.AddAccount("alice", Password);
        string reply;
        using (var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint))
        {
            Assert.StartsWith("235", await raw.LoginAsync("alice", Password));
            Assert.StartsWith("250", await raw.CommandAsync("MAIL FROM:<alice@customer.test>"));
            Assert.StartsWith("250", await raw.CommandAsync("RCPT TO:<bob@example.net>"));
            Assert.StartsWith("354", await raw.CommandAsync("DATA"));
            await raw.SendAsync("From: alice@customer.test\r\nTo: bob@example.net\r\nSubject: bare\r\n\r\nNo Date, no Message-ID.\r\n.\r\n");
            reply = await raw.ReadReplyAsync();
        }

        Assert.StartsWith("250 2.0.0 Message accepted as ", reply);
        var gatewayId = reply["250 2.0.0 Message accepted as ".Length..].Trim();
        await Wait.UntilAsync(() => sink.Messages().Count == 1, "smtp-sink to receive the message");
        var headers = sink.Messages()[0].Split("\n\n")[0].Split('\n');
        Assert.Contains($"Message-ID: <{gatewayId}@gateway.test>", headers);
        var date = Assert.Single(headers, line => line.StartsWith("Date: ", StringComparison.Ordinal));
        Assert.True(MimeKit.Utils.DateUtils.TryParse(date["Date: ".Length..], out var parsed), $"Date header not parsed: {date}");
        Assert.InRange(parsed, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task Relay_DsnParameters_ReachUpstreamAsSent()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await StartAsync(sink.Endpoint);
        relayguard.AddAccount("alice", Password);

        using (var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint))
        {
            Assert.StartsWith("235", await raw.LoginAsync("alice", Password));
            Assert.StartsWith("250", await raw.CommandAsync("MAIL FROM:<alice@customer.test> RET=HDRS ENVID=order+2B42"));
            Assert.StartsWith("250", await raw.CommandAsync("RCPT TO:<bob@example.net> NOTIFY=FAILURE,DELAY"));
            Assert.StartsWith("354", await raw.CommandAsync("DATA"));
            await raw.SendAsync("From: alice@customer.test\r\nTo: bob@example.net\r\nSubject: DSN\r\n\r\nHello.\r\n.\r\n");
            Assert.StartsWith("250", await raw.ReadReplyAsync());
        }

        await Wait.UntilAsync(() => sink.Messages().Count == 1, "smtp-sink to receive the message");
        var mailArgs = sink.Messages()[0].Split('\n').Single(line => line.StartsWith("X-Mail-Args: ", StringComparison.Ordinal));
        Assert.Contains(" RET=HDRS", mailArgs, StringComparison.Ordinal);
        Assert.Contains(" ENVID=order+2B42", mailArgs, StringComparison.Ordinal);
        var rcptArgs = sink.Messages()[0].Split('\n').Single(line => line.StartsWith("X-Rcpt-Args: ", StringComparison.Ordinal));
        Assert.Contains("NOTIFY=FAILURE,DELAY", rcptArgs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Relay_UpstreamDown_Gets451()
    {
        var unusedPort = Ports.Free();
        await using var relayguard = await StartAsync($"127.0.0.1:{unusedPort}");
        relayguard.AddAccount("alice", Password);
        using var client = await Clients.ConnectAsync(relayguard, "alice", Password);

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Clients.Message("alice@customer.test", "Hi", "Hi", "bob@example.net")));

        Assert.Equal(451, (int)error.StatusCode);
        Assert.Contains("4.4.1", error.Message);
    }

    [Fact]
    public async Task Health_UpstreamDown_NamesCheck()
    {
        var unusedPort = Ports.Free();
        await using var relayguard = await StartAsync($"127.0.0.1:{unusedPort}");
        using var http = new HttpClient { BaseAddress = relayguard.OpsUrl };

        using var response = await http.GetAsync("/health/ready");
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n');

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("Unhealthy", lines[0]);
        Assert.Contains(lines, line => line.StartsWith($"upstream: Unhealthy (Upstream 127.0.0.1:{unusedPort} does not accept connections: ", StringComparison.Ordinal));
        Assert.Contains("store: Healthy (", lines.Single(line => line.StartsWith("store:", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_BareLineFeed_Refused()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await StartAsync(sink.Endpoint);
        relayguard.AddAccount("alice", Password);
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        Assert.StartsWith("235", await raw.LoginAsync("alice", Password));
        Assert.StartsWith("250", await raw.CommandAsync("MAIL FROM:<alice@customer.test>"));
        Assert.StartsWith("250", await raw.CommandAsync("RCPT TO:<bob@example.net>"));
        Assert.StartsWith("354", await raw.CommandAsync("DATA"));

        // The classic smuggling attempt: a bare LF before the dot, then a second transaction in the same data.
        await raw.SendAsync("Subject: smuggle\r\n\r\nfirst\n.\r\nMAIL FROM:<evil@attacker.test>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\nSubject: smuggled\r\n\r\nhidden\r\n.\r\n");
        var reply = await raw.ReadReplyAsync();

        Assert.StartsWith("550 5.5.2", reply);
        Assert.EndsWith("/help/smtp-errors#line-endings", reply);
        Assert.StartsWith("250", await raw.CommandAsync("NOOP"));
        Assert.Empty(sink.Messages());
        Assert.Contains(relayguard.Logs.Lines, line => line.Contains("refused at the end of DATA: account alice, client 127.0.0.1; the client got 550 5.5.2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mail_WithoutAuth_Gets530()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await StartAsync(sink.Endpoint);
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        await raw.CommandAsync("EHLO client.test");

        var reply = await raw.CommandAsync("MAIL FROM:<anyone@example.org>");

        Assert.Equal("530 5.7.0 Authentication required", reply);
    }

    [Fact]
    public async Task Auth_WrongPassword_Refused()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await StartAsync(sink.Endpoint);
        relayguard.AddAccount("alice", Password);
        using var client = await Clients.ConnectAsync(relayguard);

        var error = await Assert.ThrowsAsync<MailKit.Security.AuthenticationException>(() => client.AuthenticateAsync("alice", "wrong password"));

        Assert.Contains("credentials invalid", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(relayguard.Logs.Lines, line => line.Contains("wrong password", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Relay_TrustedRange_NeedsNoAuth()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await StartAsync(sink.Endpoint, new() { ["Smtp:Trusted:0"] = "127.0.0.0/8=webshop" });
        using var client = await Clients.ConnectAsync(relayguard);

        await client.SendAsync(Clients.Message("shop@customer.test", "Your order", "Thanks.", "buyer@example.net"));

        await Wait.UntilAsync(() => sink.Messages().Count == 1, "smtp-sink to receive the message");
        Assert.Contains("with ESMTP id", ReceivedHeader(sink.Messages()[0]));
    }

    /// <summary>
    /// Each detector keeps the ids of the events it applied in an index, so ids that follow the time keep its writes
    /// at the index's end.
    /// </summary>
    [Fact]
    public async Task Relay_SubmissionEventId_IsTimeOrdered()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await StartAsync(sink.Endpoint, new() { ["Smtp:Trusted:0"] = "127.0.0.0/8=webshop" });
        using var client = await Clients.ConnectAsync(relayguard);

        await client.SendAsync(Clients.Message("shop@customer.test", "Your order", "Thanks.", "buyer@example.net"));

        var database = relayguard.Get<Relayguard.ServiceDefaults.SqliteDatabase>();
        string? eventId = null;
        await Wait.UntilAsync(
            () =>
            {
                using var connection = database.Open();
                eventId = Relayguard.ServiceDefaults.SqliteDatabase.Scalar(connection, "SELECT event_id FROM processed_events WHERE consumer = 'ca1-message-submitted';") as string;
                return eventId is not null;
            },
            "CA1 to apply the submission event");
        Assert.Equal(7, Guid.ParseExact(eventId!, "N").Version);
    }

    /// <summary>
    /// Sends <paramref name="text"/> while another connection locks the gateway's database for writing, and returns the
    /// reply. Each write of the gateway waits its 30-second busy timeout and fails, so the wait is long.
    /// </summary>
    private static async Task<string> SendWhileDatabaseLockedAsync(RelayguardInstance relayguard, RawSmtpClient raw, string text)
    {
        using var holder = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={relayguard.Get<SqliteDatabase>().Path};Pooling=False");
        holder.Open();
        using var hold = holder.CreateCommand();
        hold.CommandText = "BEGIN EXCLUSIVE;";
        hold.ExecuteNonQuery();
        await raw.SendAsync(text);
        var reply = await raw.ReadReplyAsync(TimeSpan.FromSeconds(150));
        hold.CommandText = "ROLLBACK;";
        hold.ExecuteNonQuery();
        return reply;
    }

    internal static Task<RelayguardInstance> StartAsync(string upstream, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Relay:Upstream"] = upstream,
            ["Smtp:AllowPlaintextAuth"] = "true",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return RelayguardInstance.StartAsync(settings);
    }

    /// <summary>The gateway's own Received header, unfolded; smtp-sink adds one of its own above it.</summary>
    private static string ReceivedHeader(string dumped)
    {
        var text = dumped.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n\t", " ", StringComparison.Ordinal).Replace("\n ", " ", StringComparison.Ordinal);
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("Received:", StringComparison.Ordinal) && l.Contains("(Relayguard)", StringComparison.Ordinal));
        Assert.True(line is not null, $"No Received header from Relayguard in: {dumped}");
        return line;
    }
}
