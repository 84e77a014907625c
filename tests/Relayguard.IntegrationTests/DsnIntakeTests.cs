using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MimeKit;
using Relayguard.IntegrationTests.Infrastructure;

namespace Relayguard.IntegrationTests;

/// <summary>Bounces made by the provider's Postfix after it accepted the mail reach the gateway and feed CA1.</summary>
public sealed class DsnIntakeTests
{
    private const string Password = "dsn-test-password";

    [Fact]
    public async Task PostfixBounceCopies_BlockAccountUnderCa1()
    {
        // Postfix accepts every recipient from the gateway, then the next hop refuses them all as unknown.
        await using var sink = await SmtpSink.StartAsync("-f", "RCPT", "-B", "550 5.1.1 <unknown>: Recipient address rejected: User unknown");
        var dsnPort = Ports.Free();
        await using var postfix = await PostfixInstance.StartAsync(sink.Endpoint, $"127.0.0.1:{dsnPort}");
        await using var relayguard = await RelayTests.StartAsync(postfix.Endpoint, new() { ["Dsn:Listen"] = $"127.0.0.1:{dsnPort}" });
        relayguard.AddAccount("stale-list", Password);
        var recipients = Enumerable.Range(0, 30).Select(i => $"former{i}@example.net").ToArray();

        using (var client = await Clients.ConnectAsync(relayguard, "stale-list", Password))
        {
            await client.SendAsync(Clients.Message("list@customer.test", "Spring offers", "Offers inside.", recipients));
        }

        await Wait.UntilAsync(
            async () =>
            {
                using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
                await raw.LoginAsync("stale-list", Password);
                return (await raw.CommandAsync("MAIL FROM:<list@customer.test>")).StartsWith("550 5.7.1 Sending from this account is blocked", StringComparison.Ordinal);
            },
            "Postfix's bounce copies to put the account over the CA1 threshold",
            TimeSpan.FromSeconds(60));
    }

    [Theory]
    [InlineData("relayguard-dsn@relayguard.invalid")]
    [InlineData("RELAYGUARD-DSN@Relayguard.INVALID")]
    [InlineData("relayguard-dsn+forged@relayguard.invalid")]
    [InlineData("\"relayguard-dsn\"@relayguard.invalid")]
    [InlineData("someone@invalid")]
    [InlineData("relayguard-dsn%relayguard.invalid@[127.0.0.1]")]
    [InlineData("relayguard.invalid!relayguard-dsn@[127.0.0.1]")]
    [InlineData("\"relayguard-dsn@relayguard.invalid\"@localhost")]
    public async Task CustomerMailToBounceCopyAddress_RefusedAtRcpt(string recipient)
    {
        // The upstream routes bounce copies for this address to the DSN intake, so a customer who could write to it
        // could post a forged report and get another account blocked under CA1.
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await RelayTests.StartAsync(sink.Endpoint);
        relayguard.AddAccount("mallory", Password);
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        Assert.StartsWith("235", await raw.LoginAsync("mallory", Password));
        Assert.StartsWith("250", await raw.CommandAsync("MAIL FROM:<mallory@customer.test>"));

        var refused = await raw.CommandAsync($"RCPT TO:<{recipient}>");
        var accepted = await raw.CommandAsync("RCPT TO:<reader@example.net>");

        Assert.StartsWith("550 5.1.2 Recipient domain ", refused);
        Assert.Contains("is reserved (RFC 6761) and receives no mail. See http://", refused);
        Assert.EndsWith("/help/smtp-errors#reserved-domain", refused);
        Assert.StartsWith("250", accepted);
    }

    [Fact]
    public async Task NullSenderMailBounced_DoubleBounceCopyCounted()
    {
        // An out-of-office reply goes out from the null sender, so Postfix cannot return its bounce and sends it to
        // 2bounce_notice_recipient: the invalid address must still reach CA1.
        await using var sink = await SmtpSink.StartAsync("-f", "RCPT", "-B", "550 5.1.1 <unknown>: Recipient address rejected: User unknown");
        var dsnPort = Ports.Free();
        await using var postfix = await PostfixInstance.StartAsync(sink.Endpoint, $"127.0.0.1:{dsnPort}");
        await using var relayguard = await RelayTests.StartAsync(postfix.Endpoint, new() { ["Dsn:Listen"] = $"127.0.0.1:{dsnPort}" });
        relayguard.AddAccount("carol", Password);

        using (var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint))
        {
            Assert.StartsWith("235", await raw.LoginAsync("carol", Password));
            Assert.StartsWith("250", await raw.CommandAsync("MAIL FROM:<>"));
            Assert.StartsWith("250", await raw.CommandAsync("RCPT TO:<gone@example.net>"));
            Assert.StartsWith("354", await raw.CommandAsync("DATA"));
            await raw.SendAsync("From: carol@customer.test\r\nTo: gone@example.net\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\n\r\nI am away until Monday.\r\n.\r\n");
            Assert.StartsWith("250", await raw.ReadReplyAsync());
        }

        await Wait.UntilAsync(
            () => relayguard.Logs.Lines.Any(line => line.Contains("of carol gave 1 failed recipient.", StringComparison.Ordinal)),
            "Postfix's double-bounce copy to reach the DSN listener and match carol's reply",
            TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task ApiDsn_UnmatchedReport_CountedNotGuessed()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await RelayTests.StartAsync(sink.Endpoint);
        using var ops = relayguard.OpsClient();
        var report = Bo1Tests.DeliveryReport().ToString();

        var response = await ops.PostAsync("/api/dsn", new StringContent(report, new MediaTypeHeaderValue("message/rfc822")));

        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("delivery-report", body.GetProperty("kind").GetString());
        Assert.False(body.GetProperty("matched").GetBoolean());
        Assert.Equal(0, body.GetProperty("bounces").GetInt32());
    }

    [Fact]
    public async Task SharedEnvelopeId_MatchedBySubmissionRecipients()
    {
        // Two accounts put the same ENVID on their messages; erin's is the newer. A late report for dave's recipient
        // belongs to dave's message, and an address neither message went to counts for nobody.
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await RelayTests.StartAsync(sink.Endpoint);
        relayguard.AddAccount("dave", Password);
        relayguard.AddAccount("erin", Password);
        await SubmitAsync(relayguard, "dave", "dave-gone@bad.test", "newsletter-42");
        await SubmitAsync(relayguard, "erin", "erin-gone@bad.test", "newsletter-42");
        using var ops = relayguard.OpsClient();

        var body = await PostReportAsync(ops, "newsletter-42", "dave-gone@bad.test", "stranger@bad.test");

        Assert.True(body.GetProperty("matched").GetBoolean());
        Assert.Equal(GatewayId(relayguard, "dave"), body.GetProperty("gatewayMessageId").GetString());
        Assert.Equal(1, body.GetProperty("bounces").GetInt32());
        Assert.Equal(1, body.GetProperty("ignored").GetInt32());
        Assert.Contains(relayguard.Logs.Lines, line => line.Contains("was not sent to", StringComparison.Ordinal) && line.Contains("stranger@bad.test", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SameReportTwice_CountsOnce()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await RelayTests.StartAsync(sink.Endpoint);
        relayguard.AddAccount("dave", Password);
        await SubmitAsync(relayguard, "dave", "dave-gone@bad.test", "newsletter-43");
        using var ops = relayguard.OpsClient();

        var first = await PostReportAsync(ops, "newsletter-43", "dave-gone@bad.test");
        var second = await PostReportAsync(ops, "newsletter-43", "dave-gone@bad.test");

        Assert.Equal(1, first.GetProperty("bounces").GetInt32());
        Assert.True(second.GetProperty("matched").GetBoolean());
        Assert.Equal(0, second.GetProperty("bounces").GetInt32());
    }

    [Fact]
    public async Task SharedEnvelopeId_NoSubmissionHasRecipient_Unmatched()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await RelayTests.StartAsync(sink.Endpoint);
        relayguard.AddAccount("erin", Password);
        await SubmitAsync(relayguard, "erin", "erin-gone@bad.test", "newsletter-42");
        using var ops = relayguard.OpsClient();

        var body = await PostReportAsync(ops, "newsletter-42", "stranger@bad.test");

        Assert.False(body.GetProperty("matched").GetBoolean());
        Assert.Equal(0, body.GetProperty("bounces").GetInt32());
    }

    [Fact]
    public async Task ApiDsn_EmptyBody_Gets400NamingBody()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await RelayTests.StartAsync(sink.Endpoint);
        using var ops = relayguard.OpsClient();

        var response = await ops.PostAsync("/api/dsn", new ByteArrayContent([]));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"body\"", await response.Content.ReadAsStringAsync());
    }

    private static async Task SubmitAsync(RelayguardInstance relayguard, string account, string recipient, string envelopeId)
    {
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        Assert.StartsWith("235", await raw.LoginAsync(account, Password));
        Assert.StartsWith("250", await raw.CommandAsync($"MAIL FROM:<{account}@customer.test> ENVID={envelopeId}"));
        Assert.StartsWith("250", await raw.CommandAsync($"RCPT TO:<{recipient}>"));
        Assert.StartsWith("354", await raw.CommandAsync("DATA"));
        await raw.SendAsync($"From: {account}@customer.test\r\nTo: {recipient}\r\nSubject: Newsletter\r\nMessage-ID: <{account}-42@customer.test>\r\n\r\nHello.\r\n.\r\n");
        Assert.StartsWith("250", await raw.ReadReplyAsync());
    }

    private static string GatewayId(RelayguardInstance relayguard, string account)
    {
        using var connection = relayguard.Get<Relayguard.ServiceDefaults.SqliteDatabase>().Open();
        return (string)Relayguard.ServiceDefaults.SqliteDatabase.Scalar(connection, "SELECT gateway_id FROM message_index WHERE account = $a;", null, ("$a", account))!;
    }

    /// <summary>Posts an RFC 3464 report with the envelope id given and one failed recipient per address; returns the API's answer.</summary>
    private static async Task<JsonElement> PostReportAsync(HttpClient ops, string envelopeId, params string[] failed)
    {
        var report = new MultipartReport("delivery-status");
        report.Add(new TextPart("plain") { Text = "This is the mail system at host upstream.test.\r\n\r\nYour message could not be delivered.\r\n" });
        var status = new MessageDeliveryStatus();
        status.StatusGroups.Add(new HeaderList { { "Reporting-MTA", "dns; upstream.test" }, { "Original-Envelope-Id", envelopeId } });
        foreach (var address in failed)
        {
            status.StatusGroups.Add(new HeaderList
            {
                { "Final-Recipient", $"rfc822; {address}" },
                { "Action", "failed" },
                { "Status", "5.1.1" },
                { "Diagnostic-Code", $"smtp; 550 5.1.1 <{address}>: Recipient address rejected: User unknown" },
            });
        }

        report.Add(status);
        var message = new MimeMessage { Subject = "Undelivered Mail Returned to Sender", Body = report };
        message.From.Add(new MailboxAddress("Mail Delivery System", "MAILER-DAEMON@upstream.test"));
        message.To.Add(MailboxAddress.Parse("sender@customer.test"));
        using var response = await ops.PostAsync("/api/dsn", new StringContent(message.ToString(), new MediaTypeHeaderValue("message/rfc822")));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
