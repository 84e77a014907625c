using MailKit.Net.Smtp;
using MimeKit;
using Relayguard.IntegrationTests.Infrastructure;

namespace Relayguard.IntegrationTests;

/// <summary>BO1: a customer's server relays a bounce (null sender, delivery report) through the gateway.</summary>
public sealed class Bo1Tests
{
    private const string Password = "bounce-test-password";

    [Fact]
    public async Task Bounce_RefusedWithBo1()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await RelayTests.StartAsync(sink.Endpoint);
        relayguard.AddAccount("mx1", Password);
        using var client = await Clients.ConnectAsync(relayguard, "mx1", Password);

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(DeliveryReport(), NullSender, [MailboxAddress.Parse("forged@example.org")]));

        Assert.Equal(550, (int)error.StatusCode);
        Assert.Contains("Bounce messages are not accepted: reject mail at SMTP time instead (BO1). See ", error.Message);
        Assert.Contains("#BO1", error.Message);
        Assert.Empty(sink.Messages());
    }

    [Fact]
    public async Task AutoReply_Passes()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await RelayTests.StartAsync(sink.Endpoint);
        relayguard.AddAccount("mx1", Password);
        using var client = await Clients.ConnectAsync(relayguard, "mx1", Password);
        var reply = Clients.Message("carol@customer.test", "Out of office: back on Monday", "I am away until Monday and will reply then.", "sender@example.org");
        reply.Headers.Add("Auto-Submitted", "auto-replied");

        await client.SendAsync(reply, NullSender, [MailboxAddress.Parse("sender@example.org")]);

        await Wait.UntilAsync(() => sink.Messages().Count == 1, "smtp-sink to receive the automatic reply");
    }

    [Fact]
    public async Task Bounce_ThreeRefusals_BlockNullSender()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await RelayTests.StartAsync(sink.Endpoint);
        relayguard.AddAccount("mx1", Password);
        using var client = await Clients.ConnectAsync(relayguard, "mx1", Password);
        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(DeliveryReport(), NullSender, [MailboxAddress.Parse("forged@example.org")]));
        }

        await Wait.UntilAsync(
            async () =>
            {
                using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
                await raw.LoginAsync("mx1", Password);
                return (await raw.CommandAsync("MAIL FROM:<>")).StartsWith("550 5.7.1 Bounce messages from this sender are blocked until ", StringComparison.Ordinal);
            },
            "the BO1 escalation to refuse the null sender at MAIL FROM");

        using var normal = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        await normal.LoginAsync("mx1", Password);
        Assert.StartsWith("250", await normal.CommandAsync("MAIL FROM:<postmaster@customer.test>"));
    }

    private static MailboxAddress NullSender => new(string.Empty, string.Empty);

    /// <summary>A Postfix-style delivery report, as a customer's server would wrongly relay it.</summary>
    internal static MimeMessage DeliveryReport()
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Mail Delivery System", "MAILER-DAEMON@mx1.customer.test"));
        message.To.Add(MailboxAddress.Parse("forged@example.org"));
        message.Subject = "Undelivered Mail Returned to Sender";
        message.Headers.Add("Auto-Submitted", "auto-replied");
        var report = new MultipartReport("delivery-status");
        report.Add(new TextPart("plain") { Text = "This is the mail system at host mx1.customer.test.\r\n\r\nI'm sorry to have to inform you that your message could not be delivered.\r\n" });
        var status = new MessageDeliveryStatus();
        status.StatusGroups.Add(new HeaderList { { "Reporting-MTA", "dns; mx1.customer.test" } });
        status.StatusGroups.Add(new HeaderList
        {
            { "Final-Recipient", "rfc822; nobody@customer.test" },
            { "Action", "failed" },
            { "Status", "5.1.1" },
            { "Diagnostic-Code", "smtp; 550 5.1.1 <nobody@customer.test>: Recipient address rejected: User unknown" },
        });
        report.Add(status);
        message.Body = report;
        return message;
    }
}
