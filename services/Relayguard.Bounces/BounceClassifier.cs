using System.Text;
using MimeKit;

namespace Relayguard.Bounces;

/// <summary>
/// Decides whether a message is a delivery report, an automatic reply, a read receipt, a feedback
/// report or ordinary mail, and extracts the failed recipients of a report. Signals are tried in
/// order of strength: report structure first (it outranks Auto-Submitted, which Exim also sets on
/// its bounces), then a known bounce subject, then a body that reads as a report. The class keeps
/// no state, so one instance can serve concurrent sessions.
/// </summary>
public sealed class BounceClassifier
{
    static BounceClassifier()
    {
        // Reports come in legacy charsets (ISO-2022-JP, GB2312, KOI8-R) that .NET decodes only
        // with the code-page provider registered.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    /// <summary>Classifies a parsed message.</summary>
    public Classification Classify(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Decide(MessageContent.Read(message));
    }

    /// <summary>
    /// Parses and classifies a raw message. Malformed input gives <see cref="MessageKind.Ordinary"/>
    /// with the parse error in <see cref="Classification.Why"/>. A seekable stream is read in place,
    /// so large bodies are not copied into memory.
    /// </summary>
    public Classification Classify(Stream rawMessage)
    {
        ArgumentNullException.ThrowIfNull(rawMessage);

        MimeMessage message;
        try
        {
            message = MimeMessage.Load(ParserOptions.Default, rawMessage, persistent: rawMessage.CanSeek);
        }
        catch (FormatException ex)
        {
            return NotReport(MessageKind.Ordinary, "the message could not be parsed as MIME: " + ex.Message);
        }

        using (message)
        {
            return Classify(message);
        }
    }

    private static Classification Decide(MessageContent content)
    {
        var subject = content.Subject;

        if (content.ReportType == "delivery-status" || content.StatusParts.Count > 0)
        {
            if (MessageSignals.IsChallenge(subject + "\n" + content.Notice + "\n" + string.Join('\n', content.StatusParts)))
            {
                return NotReport(MessageKind.AutoReply, "a challenge-response message in delivery-report form");
            }

            var structure = content.ReportType == "delivery-status"
                ? "multipart/report with report-type=delivery-status"
                : "a message/delivery-status part";
            return ReportReader.Read(content, structure);
        }

        if (content.ReportType == "disposition-notification" || content.HasDispositionPart)
        {
            return NotReport(MessageKind.ReadReceipt, "a message disposition notification");
        }

        if (content.ReportType == "feedback-report" || content.HasFeedbackPart)
        {
            return NotReport(MessageKind.FeedbackReport, "an ARF feedback report");
        }

        if (MessageSignals.IsNonStandardComplaint(content))
        {
            return NotReport(MessageKind.FeedbackReport, "a provider's complaint notice");
        }

        if (BounceSubjects.IsForward(subject))
        {
            return NotReport(MessageKind.Ordinary, "the subject marks a forwarded message");
        }

        if (SesNotification.TryRead(content.Notice) is { } notification)
        {
            return new Classification
            {
                Kind = notification.Kind,
                Recipients = notification.Kind == MessageKind.DeliveryReport ? notification.Recipients : [],
                Why = "an Amazon SES notification",
            };
        }

        if (MessageSignals.IsChallenge(subject + "\n" + content.Notice))
        {
            return NotReport(MessageKind.AutoReply, "a challenge-response message");
        }

        if (BounceSubjects.MatchBounce(subject) is { } bounceSubject)
        {
            return ReportReader.Read(content, $"the subject starts with \"{bounceSubject}\"");
        }

        if (MessageSignals.IsMailingListError(content))
        {
            return ReportReader.ReadMailingListError(content);
        }

        return DecideByBody(content);
    }

    private static Classification DecideByBody(MessageContent content)
    {
        var unquoted = NoticeText.WithoutQuotedLines(content.Notice);
        var strong = BodyMarkers.FindStrong(unquoted);
        var forward = BodyMarkers.FindForwardMarker(unquoted);
        if (strong is { } marker)
        {
            return forward >= 0 && forward < marker.Index
                ? NotReport(MessageKind.Ordinary, "the body forwards a delivery report")
                : ReportReader.Read(content, $"the body reads as a delivery report from {marker.Source}");
        }

        var mailSystem = MessageSignals.IsMailSystemSender(content);
        var weak = BodyMarkers.HasWeak(unquoted) || BodyMarkers.HasWeak(content.Subject);
        if (weak && (mailSystem || content.FailedRecipientsHeader.Count > 0))
        {
            return ReportReader.Read(content, "a mail system reports a failed delivery");
        }

        if (weak && forward < 0 && ReportReader.FindNoticeRecipients(content).Count > 0)
        {
            return ReportReader.Read(content, "the body names a recipient that could not be reached");
        }

        if (mailSystem && NoticeText.HasRecipientListLayout(unquoted))
        {
            return ReportReader.Read(content, "a mail system lists recipients as a qmail-style report does");
        }

        if (BounceSubjects.IsReadReceipt(content.Subject))
        {
            return NotReport(MessageKind.ReadReceipt, "the subject marks a read receipt");
        }

        if (MessageSignals.FindAutoReply(content) is { } autoReply)
        {
            return NotReport(MessageKind.AutoReply, autoReply);
        }

        return NotReport(MessageKind.Ordinary, "no report structure, bounce subject or report text");
    }

    internal static Classification NotReport(MessageKind kind, string why) => new()
    {
        Kind = kind,
        Recipients = [],
        Why = why,
    };
}
