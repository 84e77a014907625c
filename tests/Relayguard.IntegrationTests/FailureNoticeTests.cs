using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Relayguard.Gateway.Session;
using Relayguard.IntegrationTests.Infrastructure;

namespace Relayguard.IntegrationTests;

/// <summary>
/// The notice a sender gets when the provider's Postfix refuses some recipients of a message it accepts for others.
/// The client had 250 for every recipient, so the notice is its only word of the refusal.
/// </summary>
public sealed class FailureNoticeTests
{
    private const string Password = "notice-password";

    /// <summary>Postfix refuses nobody@example.net at RCPT and, at first, defers every message from the null sender.</summary>
    private const string Restrictions = """
        smtpd_recipient_restrictions = check_recipient_access inline:{ {nobody@example.net=550 5.1.1 User unknown} }
        smtpd_sender_restrictions = check_sender_access inline:{ {<>=450 4.7.1 Bounces are held for now} }
        """;

    [Fact]
    public async Task NoticeDeferredByUpstream_KeptAndRelayedLater()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sink = await SmtpSink.StartAsync();
        await using var postfix = await PostfixInstance.StartAsync(sink.Endpoint, $"127.0.0.1:{Ports.Free()}", Restrictions);
        await using var relayguard = await RelayguardInstance.StartAsync(
            new() { ["Relay:Upstream"] = postfix.Endpoint, ["Smtp:AllowPlaintextAuth"] = "true" },
            configure: builder => builder.Services.AddSingleton<TimeProvider>(time));
        relayguard.AddAccount("alice", Password);

        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        Assert.StartsWith("235", await raw.LoginAsync("alice", Password));
        Assert.StartsWith("250", await raw.CommandAsync("MAIL FROM:<alice@customer.test>"));
        Assert.StartsWith("250", await raw.CommandAsync("RCPT TO:<bob@example.net>"));
        Assert.StartsWith("250", await raw.CommandAsync("RCPT TO:<nobody@example.net>"));
        Assert.StartsWith("354", await raw.CommandAsync("DATA"));
        await raw.SendAsync("From: alice@customer.test\r\nTo: bob@example.net, nobody@example.net\r\nSubject: Figures\r\n\r\nHello.\r\n.\r\n");
        Assert.StartsWith("250", await raw.ReadReplyAsync());

        await Wait.UntilAsync(() => Logged(relayguard, "not relayed (attempt 1): 450 4.7.1"), "the gateway to log the deferred notice");
        Assert.Equal(1, relayguard.Get<FailureNoticeQueue>().Pending);

        await postfix.SetAsync("smtpd_sender_restrictions", string.Empty);
        time.Advance(FailureNoticeSender.RetryAfter(1));

        await Wait.UntilAsync(() => Logged(relayguard, "relayed to <alice@customer.test>"), "the gateway to relay the notice on its second attempt");
        await Wait.UntilAsync(() => sink.Messages().Count == 2, "Postfix to pass the message and the notice on to smtp-sink");
        var notice = Assert.Single(sink.Messages(), message => message.Contains("Subject: Undelivered Mail Returned to Sender", StringComparison.Ordinal));
        Assert.Contains("<nobody@example.net>: 550 5.1.1", notice, StringComparison.Ordinal);
        Assert.Contains("from=<>", postfix.Log, StringComparison.Ordinal);
        Assert.Equal(0, relayguard.Get<FailureNoticeQueue>().Pending);
    }

    private static bool Logged(RelayguardInstance relayguard, string text) =>
        relayguard.Logs.Lines.Any(line => line.Contains("Failure notice", StringComparison.Ordinal) && line.Contains(text, StringComparison.Ordinal));
}
