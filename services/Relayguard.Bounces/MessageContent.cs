using System.Text;
using System.Text.RegularExpressions;
using MimeKit;

namespace Relayguard.Bounces;

/// <summary>
/// What the classifier reads from one message: decoded headers, the human-readable notice, the
/// machine-readable report parts and the returned original. Parts inside an attached message are
/// never read as the report's own.
/// </summary>
internal sealed partial class MessageContent
{
    private const int MaxParts = 200;
    private const int MaxNoticeLength = 512 * 1024;

    private readonly List<string> noticeParts = [];
    private readonly List<string> statusParts = [];
    private readonly List<string> returnedTexts = [];
    private readonly List<MimeMessage> attachedMessages = [];
    private int partsSeen;
    private bool reparsed;

    private MessageContent(MimeMessage message)
    {
        Message = message;
        Subject = Collapse(message.Subject);
        SenderText = Collapse(message.Headers[HeaderId.From]);
        SenderAddress = message.From.Mailboxes.FirstOrDefault()?.Address;
        ReportType = message.Body is MultipartReport report ? report.ReportType?.ToLowerInvariant() : null;
        FailedRecipientsHeader = ReadFailedRecipientsHeader(message);
    }

    public MimeMessage Message { get; }

    /// <summary>The decoded, unfolded subject.</summary>
    public string Subject { get; }

    /// <summary>The decoded From header as written, including a display name.</summary>
    public string SenderText { get; }

    public string? SenderAddress { get; }

    /// <summary>The report-type of a top-level multipart/report, lower-cased.</summary>
    public string? ReportType { get; }

    /// <summary>Addresses from Exim's X-Failed-Recipients header.</summary>
    public IReadOnlyList<string> FailedRecipientsHeader { get; }

    /// <summary>The notice text, cut where the returned message starts.</summary>
    public string Notice { get; private set; } = string.Empty;

    /// <summary>The text after the cut: usually the returned headers.</summary>
    public string NoticeTail { get; private set; } = string.Empty;

    /// <summary>Decoded message/delivery-status bodies, and later text parts of a report that contain delivery-status fields.</summary>
    public IReadOnlyList<string> StatusParts => statusParts;

    public IReadOnlyList<MimeMessage> AttachedMessages => attachedMessages;

    public bool HasFeedbackPart { get; private set; }

    public bool HasDispositionPart { get; private set; }

    /// <summary>The Message-ID of the returned original without angle brackets, when the report carries one.</summary>
    public string? ReturnedMessageId { get; private set; }

    public static MessageContent Read(MimeMessage message)
    {
        var content = new MessageContent(message);
        if (message.Body is not null)
        {
            content.Walk(message.Body, ReportPosition.None);
        }

        var joined = string.Join("\n\n", content.noticeParts);
        var (notice, tail) = NoticeText.SplitAtReturnedMessage(joined.Length > MaxNoticeLength ? joined[..MaxNoticeLength] : joined);
        content.Notice = notice;
        content.NoticeTail = tail;
        content.ReturnedMessageId ??= content.returnedTexts.Select(NoticeText.FindMessageId).FirstOrDefault(id => id is not null)
            ?? NoticeText.FindMessageId(tail);
        return content;
    }

    private enum ReportPosition
    {
        None,
        Notice,
        AfterNotice,
    }

    private void Walk(MimeEntity entity, ReportPosition position)
    {
        if (++partsSeen > MaxParts)
        {
            return;
        }

        switch (entity)
        {
            case MessagePart attached:
                ReadAttachedMessage(attached);
                break;
            case MultipartAlternative alternative when alternative.Count > 0:
                var preferred = alternative.FirstOrDefault(IsPlainText) ?? alternative.FirstOrDefault();
                if (preferred is not null)
                {
                    Walk(preferred, position);
                }

                break;
            case Multipart multipart:
                WalkMultipart(multipart, position);
                break;
            case MimePart part:
                ReadPart(part, position);
                break;
        }
    }

    private void WalkMultipart(Multipart multipart, ReportPosition position)
    {
        if (multipart.Count == 0)
        {
            // A boundary that never appears leaves the whole body in the preamble. Reports
            // whose header names a different boundary than the body uses are read again with
            // the boundary that the body shows.
            var body = string.Concat(multipart.Preamble, "\n", multipart.Epilogue);
            if (!reparsed && ReparseWithBodyBoundary(multipart, body) is { Count: > 0 } repaired)
            {
                reparsed = true;
                WalkMultipart(repaired, position);
                return;
            }

            AddNotice(body);
            return;
        }

        for (var i = 0; i < multipart.Count; i++)
        {
            var childPosition = multipart is MultipartReport
                ? (i == 0 ? ReportPosition.Notice : ReportPosition.AfterNotice)
                : position;
            Walk(multipart[i], childPosition);
        }
    }

    private void ReadAttachedMessage(MessagePart attached)
    {
        if (attached.Message is null)
        {
            return;
        }

        attachedMessages.Add(attached.Message);
        ReturnedMessageId ??= attached.Message.MessageId is { Length: > 0 } id ? id : null;
    }

    private void ReadPart(MimePart part, ReportPosition position)
    {
        var mimeType = part.ContentType.MimeType.ToLowerInvariant();
        switch (mimeType)
        {
            case "message/delivery-status" or "message/global-delivery-status" or "message/xdelivery-status":
                statusParts.Add(MimePartText.Decode(part));
                return;
            case "message/feedback-report":
                HasFeedbackPart = true;
                return;
            case "message/disposition-notification" or "message/global-disposition-notification":
                HasDispositionPart = true;
                return;
            case "text/rfc822-headers" or "message/rfc822-headers" or "text/rfc822-header":
                returnedTexts.Add(MimePartText.Decode(part));
                return;
        }

        if (!part.ContentType.MediaType.Equals("text", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var text = MimePartText.Decode(part);
        if (position == ReportPosition.AfterNotice)
        {
            // Later text parts of a report contain the delivery-status fields under the wrong
            // type, or the returned headers.
            if (DeliveryStatusFields.LooksLikeDeliveryStatus(text))
            {
                statusParts.Add(text);
            }
            else
            {
                returnedTexts.Add(text);
            }

            return;
        }

        AddNotice(mimeType == "text/html" ? NoticeText.FromHtml(text) : NoticeText.WithoutLineBreakTags(text));
    }

    private void AddNotice(string text)
    {
        var trimmed = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Trim('\n');
        if (trimmed.Length > 0)
        {
            noticeParts.Add(trimmed);
        }
    }

    private static Multipart? ReparseWithBodyBoundary(Multipart multipart, string body)
    {
        var boundary = BoundaryLine().Match(body);
        if (!boundary.Success)
        {
            return null;
        }

        var reportType = multipart.ContentType.Parameters["report-type"];
        var header = $"Content-Type: {multipart.ContentType.MimeType}; boundary=\"{boundary.Groups["boundary"].Value}\""
            + (reportType is null ? string.Empty : $"; report-type={reportType}");
        var entity = header + "\r\n\r\n" + body;
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(entity));
        try
        {
            return MimeEntity.Load(stream) as Multipart;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static bool IsPlainText(MimeEntity entity) => entity.ContentType.IsMimeType("text", "plain");

    private static IReadOnlyList<string> ReadFailedRecipientsHeader(MimeMessage message)
    {
        var addresses = new List<string>();
        foreach (var header in message.Headers.Where(h => h.Field.Equals("X-Failed-Recipients", StringComparison.OrdinalIgnoreCase)))
        {
            foreach (Match match in EmailAddress.FindAll(header.Value))
            {
                addresses.Add(match.Value);
            }
        }

        return addresses;
    }

    [GeneratedRegex(@"^--(?<boundary>[^\s]{1,200}?)[ \t]*\r?$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex BoundaryLine();

    private static string Collapse(string? value) =>
        value is null ? string.Empty : string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
