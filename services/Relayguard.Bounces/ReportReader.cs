using MimeKit;

namespace Relayguard.Bounces;

/// <summary>Extracts the failed recipients and the original message's ids from a delivery report.</summary>
internal static class ReportReader
{
    /// <summary>
    /// Reads a message already judged a delivery report: its delivery-status fields, else the
    /// recipients its text names, else a report wrapped inside it, else the one recipient of the
    /// returned message.
    /// </summary>
    public static Classification Read(MessageContent content, string why, bool nested = false)
    {
        var noticeRecipients = FindNoticeRecipients(content);
        var delay = NoticeText.ReadsAsDelay(content.Subject, content.Notice);
        var fallbackText = content.Subject + "\n" + content.Notice;

        var (recipients, envelopeId, groups) = DeliveryStatusReport.Read(content.StatusParts, noticeRecipients, fallbackText, delay);
        if (groups == 0 && DeliveryStatusFields.LooksLikeDeliveryStatus(content.Notice))
        {
            (recipients, envelopeId, groups) = DeliveryStatusReport.Read([content.Notice], noticeRecipients, fallbackText, delay);
        }

        var report = new Classification
        {
            Kind = MessageKind.DeliveryReport,
            Recipients = recipients,
            OriginalEnvelopeId = envelopeId,
            OriginalMessageId = content.ReturnedMessageId ?? content.Message.InReplyTo,
            Why = why,
        };

        if (groups > 0)
        {
            return report;
        }

        if (noticeRecipients.Count == 0 && !nested && ReadWrappedReport(content, why) is { } wrapped)
        {
            return wrapped;
        }

        var action = delay ? "delayed" : "failed";
        var named = noticeRecipients.Count > 0 ? noticeRecipients : ReturnedMessage.SoleRecipient(content);
        return report with
        {
            Recipients = named
                .Select(r => RecipientFactory.Create(r.Address, r.OriginalAddress, action, null, r.Detail, r.Stage, fallbackText))
                .ToList(),
        };
    }

    /// <summary>
    /// Reads the report that a filter or relay wrapped into a notice of its own, as an attachment
    /// or pasted below the notice, once the notice itself names no recipient.
    /// </summary>
    private static Classification? ReadWrappedReport(MessageContent content, string why)
    {
        foreach (var attached in content.AttachedMessages.Concat(ReturnedMessage.ParseTail(content)))
        {
            var inner = MessageContent.Read(attached);
            var isReport = inner.ReportType == "delivery-status" || inner.StatusParts.Count > 0 || BounceSubjects.MatchBounce(inner.Subject) is not null;
            if (isReport && Read(inner, why, nested: true) is { Recipients.Count: > 0 } report)
            {
                return report;
            }
        }

        return null;
    }

    /// <summary>Reads an error report of the fml mailing-list manager, which names the list rather than a recipient.</summary>
    public static Classification ReadMailingListError(MessageContent content)
    {
        var report = Read(content, "an fml mailing-list error report");
        if (report.Recipients.Count > 0 || EmailAddress.FindFirst(content.Notice) is not { } listAddress)
        {
            return report;
        }

        // fml names the list, not a recipient, because the list is what rejected the message.
        var recipient = RecipientFactory.Create(listAddress, null, "failed", null, content.Notice, SmtpStage.Unknown, content.Subject);
        return report with { Recipients = [recipient] };
    }

    /// <summary>Returns the recipients the notice text names, leaving out the report's own sender and addressees.</summary>
    public static IReadOnlyList<TextRecipient> FindNoticeRecipients(MessageContent content)
    {
        var message = content.Message;
        var ownMailboxes = message.From.Mailboxes.Concat(message.To.Mailboxes).Concat(message.ReplyTo.Mailboxes);
        if (message.Sender is not null)
        {
            ownMailboxes = ownMailboxes.Append(message.Sender);
        }

        var excluded = ownMailboxes.Select(m => m.Address).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var senderDomain = EmailAddress.DomainOf(content.SenderAddress);
        var recipients = PlainTextReport.FindRecipients(content.Notice, excluded, senderDomain, content.FailedRecipientsHeader);

        // A stage that the notice states once ("SMTP command: DATA") applies to every recipient without its own.
        var noticeStage = FailureWording.FindStage(FailureWording.Normalize(content.Notice));
        return noticeStage == SmtpStage.Unknown
            ? recipients
            : recipients.Select(r => r.Stage == SmtpStage.Unknown ? r with { Stage = noticeStage } : r).ToList();
    }
}
