using Microsoft.Extensions.Logging;

namespace Relayguard.Detectors.Ca1;

/// <summary>Log messages of the CA1 detector, event ids 1100 to 1199. Recipient addresses and replies stay out of the log.</summary>
internal static partial class Log
{
    [LoggerMessage(1100, LogLevel.Debug, "Recorded {RecipientCount} recipients of message {MessageId} from account {Account} in the CA1 window starting {WindowStart:o}.")]
    public static partial void SubmissionRecorded(ILogger logger, int recipientCount, string messageId, string account, DateTimeOffset windowStart);

    [LoggerMessage(1101, LogLevel.Debug, "Skipped {MessageType} event {EventId} because CA1 already applied it.")]
    public static partial void EventAlreadyApplied(ILogger logger, string messageType, Guid eventId);

    [LoggerMessage(1102, LogLevel.Debug, "Bounce {EventId} of message {MessageId} does not count toward CA1: its reason {BounceReason} is not a permanent invalid-address failure.")]
    public static partial void BounceNotCounted(ILogger logger, Guid eventId, string messageId, string bounceReason);

    [LoggerMessage(1103, LogLevel.Debug, "Bounce {EventId} of message {MessageId} does not count toward CA1 because the message was sent without an account.")]
    public static partial void BounceWithoutAccount(ILogger logger, Guid eventId, string messageId);

    [LoggerMessage(1104, LogLevel.Warning, "Skipped {MessageType} event {EventId}: its message was submitted at {SubmittedAt:o}, before the CA1 retention of {Retention}.")]
    public static partial void EventBeyondRetention(ILogger logger, string messageType, Guid eventId, DateTimeOffset submittedAt, string retention);

    [LoggerMessage(1105, LogLevel.Debug, "Account {Account} stays unblocked: {InvalidCount} of {DistinctCount} recipients invalid in the CA1 window starting {WindowStart:o}.")]
    public static partial void BelowThreshold(ILogger logger, string account, int invalidCount, int distinctCount, DateTimeOffset windowStart);

    [LoggerMessage(1106, LogLevel.Debug, "Account {Account} is already blocked under CA1, so event {EventId} was counted without a new block.")]
    public static partial void AlreadyBlocked(ILogger logger, string account, Guid eventId);

    [LoggerMessage(1107, LogLevel.Warning, "Blocked account {Account} under CA1 with block event {BlockEventId}: {InvalidCount} of {DistinctCount} recipients invalid in the window starting {WindowStart:o}.")]
    public static partial void AccountBlocked(ILogger logger, string account, Guid blockEventId, int invalidCount, int distinctCount, DateTimeOffset windowStart);

    [LoggerMessage(1108, LogLevel.Information, "Publishing stored block event {BlockEventId} for {Subject} again while handling event {EventId}, because it was never marked published.")]
    public static partial void BlockPublishing(ILogger logger, Guid blockEventId, string subject, Guid eventId);

    [LoggerMessage(1109, LogLevel.Information, "Published block event {BlockEventId} for {Subject}.")]
    public static partial void BlockPublished(ILogger logger, Guid blockEventId, string subject);

    [LoggerMessage(1110, LogLevel.Information, "Recorded the lift of CA1 on account {Account} at {LiftedAt:o} by {Operator}. Mail submitted before it no longer counts.")]
    public static partial void LiftRecorded(ILogger logger, string account, DateTimeOffset liftedAt, string @operator);

    [LoggerMessage(1111, LogLevel.Debug, "Pruned {RowCount} expired CA1 rows.")]
    public static partial void Pruned(ILogger logger, int rowCount);

    [LoggerMessage(1112, LogLevel.Error, "Pruning the CA1 tables failed. The next attempt is in {Interval}.")]
    public static partial void PruneFailed(ILogger logger, Exception exception, TimeSpan interval);

    [LoggerMessage(1114, LogLevel.Information, "Warned account {Account} with event {WarningEventId}: {InvalidCount} of {DistinctCount} recipients invalid in the CA1 window starting {WindowStart:o}, near the thresholds.")]
    public static partial void AccountWarned(ILogger logger, string account, Guid warningEventId, int invalidCount, int distinctCount, DateTimeOffset windowStart);

    [LoggerMessage(1115, LogLevel.Debug, "Answered a request for the CA1 counts of account {Account} over {WindowCount} windows.")]
    public static partial void CountsAnswered(ILogger logger, string account, int windowCount);

    [LoggerMessage(1113, LogLevel.Debug, "Skipped {MessageType} event {EventId} because {Entry} is allowlisted for CA1.")]
    public static partial void Allowlisted(ILogger logger, string messageType, Guid eventId, string entry);
}
