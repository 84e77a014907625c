using Microsoft.Extensions.Logging;

namespace Relayguard.Detectors.Rl1;

/// <summary>Log messages of the RL1 detector, event ids 1600 to 1699.</summary>
internal static partial class Log
{
    [LoggerMessage(1600, LogLevel.Debug, "Counted message {MessageId} for {Subject}: {MessageCount} messages to {RecipientCount} recipients in the last hour.")]
    public static partial void Counted(ILogger logger, string subject, string messageId, int messageCount, int recipientCount);

    [LoggerMessage(1601, LogLevel.Debug, "Skipped event {EventId} because RL1 already applied it.")]
    public static partial void EventAlreadyApplied(ILogger logger, Guid eventId);

    [LoggerMessage(1602, LogLevel.Warning, "Deferred mail from {Subject} under RL1 until {ExpiresAt:o} with block event {BlockEventId}: {MessageCount} messages to {RecipientCount} recipients in the last hour.")]
    public static partial void Blocked(ILogger logger, string subject, Guid blockEventId, int messageCount, int recipientCount, DateTimeOffset expiresAt);

    [LoggerMessage(1603, LogLevel.Information, "Published block event {BlockEventId} for {Subject}.")]
    public static partial void BlockPublished(ILogger logger, Guid blockEventId, string subject);

    [LoggerMessage(1604, LogLevel.Information, "Recorded the lift of RL1 on {Subject} at {LiftedAt:o} by {Operator}. Mail submitted before it no longer counts.")]
    public static partial void LiftRecorded(ILogger logger, string subject, DateTimeOffset liftedAt, string @operator);

    [LoggerMessage(1605, LogLevel.Debug, "Pruned {RowCount} expired RL1 rows.")]
    public static partial void Pruned(ILogger logger, int rowCount);

    [LoggerMessage(1606, LogLevel.Error, "Pruning the RL1 tables failed. The next attempt is in {Interval}.")]
    public static partial void PruneFailed(ILogger logger, Exception exception, TimeSpan interval);
}
