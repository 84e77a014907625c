using Microsoft.Extensions.Logging;

namespace Relayguard.Detectors.Ca2;

/// <summary>Log messages of the CA2 detector, event ids 1200 to 1299.</summary>
internal static partial class Log
{
    [LoggerMessage(1200, LogLevel.Debug, "{Subject} stays unblocked after rejected message {MessageId}: {NearbyCount} rejected messages within {Window} of it.")]
    public static partial void BelowThreshold(ILogger logger, string subject, string messageId, int nearbyCount, string window);

    [LoggerMessage(1201, LogLevel.Debug, "Skipped event {EventId} because CA2 already applied it.")]
    public static partial void EventAlreadyApplied(ILogger logger, Guid eventId);

    [LoggerMessage(1202, LogLevel.Warning, "Skipped rejected message event {EventId} because its client address '{ClientIp}' is not a valid IP address.")]
    public static partial void InvalidClientIp(ILogger logger, Guid eventId, string clientIp);

    [LoggerMessage(1203, LogLevel.Debug, "Rejected message event {EventId} does not count toward CA2: {ClientIp} is in a shared range and the message had no account.")]
    public static partial void SharedAddressWithoutAccount(ILogger logger, Guid eventId, string clientIp);

    [LoggerMessage(1204, LogLevel.Warning, "Skipped rejected message event {EventId}: it was submitted at {SubmittedAt:o}, before the CA2 retention of {Retention}.")]
    public static partial void EventBeyondRetention(ILogger logger, Guid eventId, DateTimeOffset submittedAt, string retention);

    [LoggerMessage(1205, LogLevel.Debug, "{Subject} is already blocked under CA2, so event {EventId} was counted without a new block.")]
    public static partial void AlreadyBlocked(ILogger logger, string subject, Guid eventId);

    [LoggerMessage(1206, LogLevel.Warning, "Blocked {Subject} under CA2 until {ExpiresAt:o} with block event {BlockEventId}: {NearbyCount} rejected messages close together.")]
    public static partial void Blocked(ILogger logger, string subject, Guid blockEventId, int nearbyCount, DateTimeOffset expiresAt);

    [LoggerMessage(1207, LogLevel.Information, "Publishing stored block event {BlockEventId} for {Subject} again while handling event {EventId}, because it was never marked published.")]
    public static partial void BlockPublishing(ILogger logger, Guid blockEventId, string subject, Guid eventId);

    [LoggerMessage(1208, LogLevel.Information, "Published block event {BlockEventId} for {Subject}.")]
    public static partial void BlockPublished(ILogger logger, Guid blockEventId, string subject);

    [LoggerMessage(1209, LogLevel.Information, "Recorded the lift of CA2 on {Subject} at {LiftedAt:o} by {Operator}. Mail submitted before it no longer counts.")]
    public static partial void LiftRecorded(ILogger logger, string subject, DateTimeOffset liftedAt, string @operator);

    [LoggerMessage(1210, LogLevel.Debug, "Pruned {RowCount} expired CA2 rows.")]
    public static partial void Pruned(ILogger logger, int rowCount);

    [LoggerMessage(1211, LogLevel.Error, "Pruning the CA2 tables failed. The next attempt is in {Interval}.")]
    public static partial void PruneFailed(ILogger logger, Exception exception, TimeSpan interval);

    [LoggerMessage(1212, LogLevel.Debug, "Skipped event {EventId} of message {MessageId} because {Entry} is allowlisted for CA2.")]
    public static partial void Allowlisted(ILogger logger, Guid eventId, string messageId, string entry);
}
