using System.Text;
using MimeKit;
using MimeKit.Utils;
using Relayguard.Gateway.Relay;
using Relayguard.Gateway.Smtp;

namespace Relayguard.Gateway.Session;

/// <summary>
/// The RFC 3464 delivery status notification sent to the sender for recipients the upstream refused while
/// others were accepted, since the client got 250 and would otherwise never learn of them.
/// </summary>
public static class FailureNotice
{
    public static MimeMessage Create(string hostName, SmtpTransaction transaction, MimeMessage original, IReadOnlyList<RefusedRecipient> refused, DateTimeOffset now)
    {
        var notice = new MimeMessage();
        notice.From.Add(new MailboxAddress("Mail Delivery System", $"MAILER-DAEMON@{hostName}"));
        notice.To.Add(MailboxAddress.Parse(transaction.ReversePath));
        notice.Subject = "Undelivered Mail Returned to Sender";
        notice.Date = now;
        notice.MessageId = $"{transaction.Id}.notice@{hostName}";
        notice.Headers.Add("Auto-Submitted", "auto-replied");

        var text = new StringBuilder();
        text.Append("Your message ").Append(original.MessageId is null ? string.Empty : $"<{original.MessageId}> ")
            .Append("was accepted for some recipients, but the provider's mail server refused these:\r\n\r\n");
        foreach (var recipient in refused)
        {
            text.Append("  <").Append(recipient.Address).Append(">: ").Append(recipient.Reply.ToString()).Append("\r\n");
        }

        text.Append("\r\nThe other recipients were not affected. Check the addresses above before sending again.\r\n");
        if (refused.Any(recipient => recipient.Reply.IsTransient))
        {
            // The gateway hands each message on once and keeps no queue, so nothing retries a temporary refusal.
            text.Append("A refusal with a code starting with 4 was temporary: the message was not delivered to that ")
                .Append("recipient and will not be retried, but sending it to them again later may succeed.\r\n");
        }

        var report = new MultipartReport("delivery-status");
        report.Add(new TextPart("plain") { Text = text.ToString() });

        var status = new MessageDeliveryStatus();
        var perMessage = new HeaderList
        {
            { "Reporting-MTA", $"dns; {hostName}" },
            { "Original-Envelope-Id", transaction.EnvelopeId ?? transaction.Id },
            { "Arrival-Date", DateUtils.FormatDate(now) },
        };
        status.StatusGroups.Add(perMessage);
        foreach (var recipient in refused)
        {
            var reply = recipient.Reply;
            var group = new HeaderList
            {
                { "Final-Recipient", $"rfc822; {recipient.Address}" },
                { "Action", "failed" },
                { "Status", reply.EnhancedStatus ?? (reply.IsTransient ? "4.0.0" : "5.0.0") },
                { "Diagnostic-Code", $"smtp; {reply}" },
            };
            status.StatusGroups.Add(group);
        }

        report.Add(status);
        var memory = new MemoryStream();
        original.Headers.WriteTo(memory);
        memory.Position = 0;
        report.Add(new MimePart("text", "rfc822-headers") { Content = new MimeContent(memory) });
        notice.Body = report;
        return notice;
    }
}
