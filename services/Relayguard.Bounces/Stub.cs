// Temporary stand-in until the classifier branch lands; replaced on merge.
using MimeKit;

namespace Relayguard.Bounces;

public enum MessageKind { DeliveryReport, AutoReply, ReadReceipt, FeedbackReport, Ordinary }

public enum BounceReason { UserUnknown, HostUnknown, MailboxFull, MessageTooLarge, PolicyBlocked, SpamContent, RateLimited, Expired, Other }

public sealed record Classification
{
    public required MessageKind Kind { get; init; }

    public IReadOnlyList<FailedRecipient> Recipients { get; init; } = [];

    public string? OriginalEnvelopeId { get; init; }

    public string? OriginalMessageId { get; init; }

    public required string Why { get; init; }
}

public sealed record FailedRecipient
{
    public required string Address { get; init; }

    public required string Action { get; init; }

    public int? ReplyCode { get; init; }

    public string? Status { get; init; }

    public string? Diagnostic { get; init; }

    public required BounceReason Reason { get; init; }

    public required bool AddressInvalid { get; init; }

    public required bool Permanent { get; init; }
}

public sealed class BounceClassifier
{
    public Classification Classify(MimeMessage message)
    {
        if (message.Body is MultipartReport report && string.Equals(report.ReportType, "delivery-status", StringComparison.OrdinalIgnoreCase))
        {
            return new Classification { Kind = MessageKind.DeliveryReport, Why = "multipart/report delivery-status" };
        }

        var subject = message.Subject ?? string.Empty;
        foreach (var known in new[] { "Undelivered Mail Returned to Sender", "Delivery Status Notification", "failure notice", "Mail delivery failed", "Returned mail" })
        {
            if (subject.StartsWith(known, StringComparison.OrdinalIgnoreCase))
            {
                return new Classification { Kind = MessageKind.DeliveryReport, Why = "subject" };
            }
        }

        return new Classification { Kind = MessageKind.Ordinary, Why = "none" };
    }
}

public static class ReasonNames
{
    public static string ToWire(BounceReason reason) => reason switch
    {
        BounceReason.UserUnknown => "user-unknown",
        BounceReason.HostUnknown => "host-unknown",
        _ => "other",
    };
}

public static class FailureClassifier
{
    public static (BounceReason Reason, bool AddressInvalid, bool Permanent) Classify(int? replyCode, string? status, string? text)
    {
        var permanent = replyCode is >= 500;
        var invalid = permanent && status is "5.1.1" or "5.1.2" or "5.1.3" or "5.1.6" or "5.1.10";
        return (invalid ? BounceReason.UserUnknown : BounceReason.Other, invalid, permanent);
    }
}
