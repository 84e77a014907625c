using Microsoft.Extensions.Logging;

namespace Relayguard.Detectors.Bo1;

/// <summary>Log messages of the BO1 escalation detector, event ids 1300 to 1399.</summary>
internal static partial class Log
{
    [LoggerMessage(1300, LogLevel.Debug, "{Subject} stays unescalated after refused bounce message {MessageId}: {NearbyCount} refusals within {Window} of it.")]
    public static partial void BelowThreshold(ILogger logger, string subject, string messageId, int nearbyCount, string window);

    [LoggerMessage(1301, LogLevel.Debug, "Skipped event {EventId} because BO1 already applied it.")]
    public static partial void EventAlreadyApplied(ILogger logger, Guid eventId);

    [LoggerMessage(1302, LogLevel.Debug, "BO1 refusal {EventId} at stage {RefusalStage} does not count toward escalation, because only refusals at end of DATA do.")]
    public static partial void RefusalAtOtherStage(ILogger logger, Guid eventId, string refusalStage);

    [LoggerMessage(1303, LogLevel.Warning, "BO1 refusal {EventId} was not counted against an address because its client address '{ClientIp}' is not a valid IP address.")]
    public static partial void InvalidClientIp(ILogger logger, Guid eventId, string clientIp);

    [LoggerMessage(1304, LogLevel.Debug, "BO1 refusal {EventId} was not counted against {ClientIp} because the address is in a shared range.")]
    public static partial void SharedAddressNotCounted(ILogger logger, Guid eventId, string clientIp);

    [LoggerMessage(1305, LogLevel.Warning, "Skipped BO1 refusal {EventId}: it was submitted at {SubmittedAt:o}, before the BO1 retention of {Retention}.")]
    public static partial void EventBeyondRetention(ILogger logger, Guid eventId, DateTimeOffset submittedAt, string retention);

    [LoggerMessage(1306, LogLevel.Debug, "{Subject} is already blocked under BO1, so event {EventId} was counted without a new block.")]
    public static partial void AlreadyBlocked(ILogger logger, string subject, Guid eventId);

    [LoggerMessage(1307, LogLevel.Warning, "Blocked null-sender submissions from {Subject} under BO1 until {ExpiresAt:o} with block event {BlockEventId}: {NearbyCount} bounce messages refused close together.")]
    public static partial void Blocked(ILogger logger, string subject, Guid blockEventId, int nearbyCount, DateTimeOffset expiresAt);

    [LoggerMessage(1308, LogLevel.Information, "Publishing stored block event {BlockEventId} for {Subject} again while handling event {EventId}, because it was never marked published.")]
    public static partial void BlockPublishing(ILogger logger, Guid blockEventId, string subject, Guid eventId);

    [LoggerMessage(1309, LogLevel.Information, "Published block event {BlockEventId} for {Subject}.")]
    public static partial void BlockPublished(ILogger logger, Guid blockEventId, string subject);

    [LoggerMessage(1310, LogLevel.Information, "Recorded the lift of BO1 on {Subject} at {LiftedAt:o} by {Operator}. Refusals before it no longer count.")]
    public static partial void LiftRecorded(ILogger logger, string subject, DateTimeOffset liftedAt, string @operator);

    [LoggerMessage(1311, LogLevel.Debug, "Pruned {RowCount} expired BO1 rows.")]
    public static partial void Pruned(ILogger logger, int rowCount);

    [LoggerMessage(1312, LogLevel.Error, "Pruning the BO1 tables failed. The next attempt is in {Interval}.")]
    public static partial void PruneFailed(ILogger logger, Exception exception, TimeSpan interval);

    [LoggerMessage(1313, LogLevel.Debug, "Skipped event {EventId} of message {MessageId} because {Entry} is allowlisted for BO1.")]
    public static partial void Allowlisted(ILogger logger, Guid eventId, string messageId, string entry);
}
