using Microsoft.Extensions.Logging;

namespace Relayguard.Operations.Blocks;

/// <summary>The log messages of the block registry. Subjects and operator names are logged, tokens never.</summary>
internal static partial class BlocksLog
{
    [LoggerMessage(EventId = OperationsEventIds.BlockRecorded, Level = LogLevel.Information,
        Message = "Recorded the {Code} block of {Kind} {Subject} with scope {Scope}, expiring {ExpiresAt}, set by {Actor} (event {EventId}).")]
    public static partial void BlockRecorded(ILogger logger, string code, string kind, string subject, string scope, string expiresAt, string actor, Guid eventId);

    [LoggerMessage(EventId = OperationsEventIds.BlockEventDuplicate, Level = LogLevel.Debug,
        Message = "Ignored block event {EventId} because it was already recorded.")]
    public static partial void BlockEventDuplicate(ILogger logger, Guid eventId);

    [LoggerMessage(EventId = OperationsEventIds.BlocksLifted, Level = LogLevel.Information,
        Message = "Operator {Operator} lifted {Codes} on {Kind} {Subject} (event {EventId}): {Reason}")]
    public static partial void BlocksLifted(ILogger logger, string @operator, string codes, string kind, string subject, Guid eventId, string reason);

    [LoggerMessage(EventId = OperationsEventIds.LiftEventApplied, Level = LogLevel.Information,
        Message = "Applied a lift by {Operator} of {Codes} on {Kind} {Subject} from event {EventId}: {Reason}")]
    public static partial void LiftEventApplied(ILogger logger, string @operator, string codes, string kind, string subject, Guid eventId, string reason);

    [LoggerMessage(EventId = OperationsEventIds.PublishFailed, Level = LogLevel.Error,
        Message = "Could not publish {EventType} {EventId} for {Kind} {Subject} requested by {Operator}.")]
    public static partial void PublishFailed(ILogger logger, Exception exception, string eventType, Guid eventId, string kind, string subject, string @operator);

    [LoggerMessage(EventId = OperationsEventIds.EvidencePruned, Level = LogLevel.Information,
        Message = "Deleted the evidence samples of {Count} blocks that ended more than {Retention} ago.")]
    public static partial void EvidencePruned(ILogger logger, int count, string retention);

    [LoggerMessage(EventId = OperationsEventIds.PublishDeferred, Level = LogLevel.Warning,
        Message = "Kept the change to {Kind} {Subject} and its {EventType} {EventId} in the MongoDB outbox; the outbox relay publishes it once the bus takes it.")]
    public static partial void PublishDeferred(ILogger logger, string kind, string subject, string eventType, Guid eventId);

    [LoggerMessage(EventId = OperationsEventIds.OutboxPublished, Level = LogLevel.Information,
        Message = "Published {EventType} {EventId} from the MongoDB outbox.")]
    public static partial void OutboxPublished(ILogger logger, string eventType, Guid eventId);

    [LoggerMessage(EventId = OperationsEventIds.OutboxDropped, Level = LogLevel.Warning,
        Message = "Deleted {EventType} {EventId} from the MongoDB outbox without publishing it, because its change was never stored.")]
    public static partial void OutboxDropped(ILogger logger, string eventType, Guid eventId);

    [LoggerMessage(EventId = OperationsEventIds.OutboxFailed, Level = LogLevel.Error,
        Message = "Publishing the pending events of the MongoDB outbox failed. The next attempt is in {Interval}.")]
    public static partial void OutboxFailed(ILogger logger, Exception exception, TimeSpan interval);

    public static string FormatExpiry(DateTimeOffset? expiresAt) =>
        expiresAt is { } at ? at.UtcDateTime.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "never (until lifted)";
}
