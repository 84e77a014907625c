using MimeKit;
using Relayguard.Gateway.Relay;
using Relayguard.Gateway.Session;
using Relayguard.Gateway.Smtp;

namespace Relayguard.Gateway.Tests.Session;

/// <summary>The failure notice a sender gets when the upstream refused some of a message's recipients.</summary>
public sealed class FailureNoticeTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TemporaryRefusal_SaysSendingAgainMayWork()
    {
        var notice = Create(new RefusedRecipient("busy@example.net", new SmtpReply(450, "4.2.1", "Mailbox busy")));

        Assert.Contains("will not be retried, but sending it to them again later may succeed", notice.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void PermanentRefusal_NoRetryHint()
    {
        var notice = Create(new RefusedRecipient("nobody@example.net", new SmtpReply(550, "5.1.1", "User unknown")));

        Assert.Contains("<nobody@example.net>: 550 5.1.1 User unknown", notice.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("again later", notice.TextBody, StringComparison.Ordinal);
    }

    private static MimeMessage Create(RefusedRecipient recipient)
    {
        var transaction = new SmtpTransaction("01NOTICE", "alice@customer.test", new Dictionary<string, string?>());
        var original = new MimeMessage { Subject = "Figures", MessageId = "figures-1@customer.test" };
        original.From.Add(MailboxAddress.Parse("alice@customer.test"));
        original.Body = new TextPart("plain") { Text = "Hello." };
        return FailureNotice.Create("gateway.test", transaction, original, [recipient], Now);
    }
}
