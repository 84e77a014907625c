namespace Relayguard.Bounces;

/// <summary>
/// Decides what one delivery failure means from its SMTP reply code, enhanced status code and text.
/// The wording decides over the codes: a <c>550 5.1.1</c> whose text speaks of a rate limit, a
/// policy or spam is not an invalid address. An address counts as invalid only when nothing speaks
/// against it: not a status naming another cause, not a refusal that came after DATA, not a 4xx, not
/// a request to try again later. Under 5.7.x, a sentence that the address does not exist outweighs
/// the status unless the text also names a policy cause.
/// </summary>
public static class FailureClassifier
{
    /// <summary>Classifies a failure reported by a remote server, such as an upstream refusal while relaying.</summary>
    public static (BounceReason Reason, bool AddressInvalid, bool Permanent) Classify(int? replyCode, string? status, string? text) =>
        Classify(replyCode, status, text, action: null, SmtpStage.Unknown);

    /// <param name="replyCode">The SMTP reply code.</param>
    /// <param name="status">The enhanced status code.</param>
    /// <param name="text">The diagnostic text.</param>
    /// <param name="action">The report's action (failed or delayed), if known.</param>
    /// <param name="stage">The SMTP command that the rejection replied to, when the report shows it outside <paramref name="text"/>.</param>
    internal static (BounceReason Reason, bool AddressInvalid, bool Permanent) Classify(int? replyCode, string? status, string? text, string? action, SmtpStage stage)
    {
        var wording = FailureWording.Normalize(text);
        var statusCode = StatusCode.Parse(status);
        var delayed = string.Equals(action, "delayed", StringComparison.OrdinalIgnoreCase);

        // A delayed message is still in the queue, so neither its status (4.4.7) nor its wording
        // ("could not send message for past 4 hours") means that it expired.
        var statusReason = ReasonFromStatus(statusCode);
        if (delayed && statusReason == BounceReason.Expired)
        {
            statusReason = null;
        }

        if (stage == SmtpStage.Unknown)
        {
            stage = FailureWording.FindStage(wording);
        }

        var rawReason = FailureWording.MatchRaw(text, statusCode);
        var specific = rawReason ?? FailureWording.MatchSpecific(wording, includeExpiry: !delayed);
        if (rawReason is null && specific is BounceReason.UserUnknown or BounceReason.HostUnknown
            && stage != SmtpStage.Recipient && Contradicts(statusCode) && !OutweighsPolicyStatus(statusCode, wording))
        {
            // "User unknown" beside a status that names another cause (5.2.1 disabled, 5.7.1
            // refused) is not trusted unless it was the reply to RCPT, because content filters
            // often reject with that text.
            specific = statusReason ?? BounceReason.Other;
        }

        var reason = specific
            ?? statusReason
            ?? (FailureWording.IsGenericRefusal(wording) ? BounceReason.PolicyBlocked : (BounceReason?)null)
            ?? ReasonFromReplyCode(replyCode)
            ?? BounceReason.Other;

        if (reason == BounceReason.UserUnknown && stage == SmtpStage.Data && statusCode?.Subject != 1)
        {
            // The server accepted the recipient at RCPT and rejected only the content, so an
            // "unknown user" without an address status (5.1.x) comes from a content filter, as
            // Japanese mobile carriers send it.
            reason = BounceReason.PolicyBlocked;
        }

        if (reason == BounceReason.Other && string.Equals(action, "failed", StringComparison.OrdinalIgnoreCase)
            && FailureWording.IsConnectionFailure(wording))
        {
            // A report that gives up on an unreachable server means the message expired in the queue.
            reason = BounceReason.Expired;
        }

        // A reply that requests another try later does not state that the address is gone. When
        // only the code (5.1.1) named an unknown address, the cause is then not known.
        var retryLater = FailureWording.RequestsRetryLater(wording);
        if (retryLater && specific is null && reason is BounceReason.UserUnknown or BounceReason.HostUnknown)
        {
            reason = BounceReason.Other;
        }

        var permanent = IsPermanent(replyCode, statusCode, action, wording);
        var temporaryCode = replyCode is >= 400 and < 500 || statusCode?.Class == 4;
        var invalid = permanent && !temporaryCode && !retryLater && reason is BounceReason.UserUnknown or BounceReason.HostUnknown;
        return (reason, invalid, permanent);
    }

    /// <summary>
    /// True when a 5.7.x status comes with a sentence that the address does not exist ("does not
    /// exist", "no such user") and no policy cause. A bare "User unknown" does not outweigh 5.7.x,
    /// because content filters also reply "5.7.1 User unknown", as Sisimai's sample reports show.
    /// Statuses 5.2.x and 5.3.x keep withholding the verdict.
    /// </summary>
    private static bool OutweighsPolicyStatus(StatusCode? status, string wording) =>
        status is { Subject: 7 } && FailureWording.StatesAddressMissing(wording) && !FailureWording.NamesPolicyCause(wording);

    private static bool IsPermanent(int? replyCode, StatusCode? status, string? action, string wording)
    {
        if (replyCode is >= 500 and < 600)
        {
            return true;
        }

        var delayed = string.Equals(action, "delayed", StringComparison.OrdinalIgnoreCase);
        if (delayed)
        {
            return false;
        }

        if (status is not null)
        {
            return status.Class == 5;
        }

        // A report that gives up without any code is final unless its text calls the failure temporary.
        return replyCode is null && !FailureWording.IsTemporary(wording);
    }

    private static bool Contradicts(StatusCode? status) =>
        status is not null && (status.Subject is 2 or 3 or 7 || (status.Subject == 1 && status.Detail is 7 or 8));

    private static BounceReason? ReasonFromStatus(StatusCode? status)
    {
        if (status is null)
        {
            return null;
        }

        return (status.Subject, status.Detail) switch
        {
            (1, 1 or 3 or 6) => BounceReason.UserUnknown,
            (1, 2 or 10) => BounceReason.HostUnknown,
            (1, 7 or 8) => BounceReason.PolicyBlocked,
            (2, 2) => BounceReason.MailboxFull,
            (2, 3) or (3, 4) => BounceReason.MessageTooLarge,
            (4, 4) => BounceReason.HostUnknown,
            (4, 7) => BounceReason.Expired,

            // RFC 3463 calls 5.6.0 only "other or undefined media error", and spam filters reject
            // with it, so it stays spam-content. The other 5.6.x codes refuse a format or a protocol
            // feature (media type, conversion, SMTPUTF8 under RFC 6531), which is no judgement of
            // the content.
            (6, 0) => BounceReason.SpamContent,
            (6, _) => BounceReason.Other,
            (7, _) => BounceReason.PolicyBlocked,
            _ => null,
        };
    }

    private static BounceReason? ReasonFromReplyCode(int? replyCode) => replyCode switch
    {
        // RFC 5321 gives 552 as "exceeded storage allocation".
        552 => BounceReason.MailboxFull,
        _ => null,
    };
}
