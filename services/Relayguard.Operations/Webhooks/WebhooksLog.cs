using Microsoft.Extensions.Logging;

namespace Relayguard.Operations.Webhooks;

/// <summary>The log messages of webhook delivery. Secrets and signatures are never logged.</summary>
internal static partial class WebhooksLog
{
    [LoggerMessage(EventId = OperationsEventIds.WebhooksStarted, Level = LogLevel.Information,
        Message = "Started sending webhooks to {ReceiverCount} receivers.")]
    public static partial void Started(ILogger logger, int receiverCount);

    [LoggerMessage(EventId = OperationsEventIds.WebhookDelivered, Level = LogLevel.Debug,
        Message = "Delivered webhook {EventType} {EventId} to {Url}.")]
    public static partial void Delivered(ILogger logger, string eventType, Guid eventId, string url);

    [LoggerMessage(EventId = OperationsEventIds.WebhookRetrying, Level = LogLevel.Warning,
        Message = "Webhook {EventId} to {Url} failed ({Failure}); retry {Retry} of {Retries} in {Delay}.")]
    public static partial void Retrying(ILogger logger, Guid eventId, string url, int retry, int retries, string delay, string failure);

    [LoggerMessage(EventId = OperationsEventIds.WebhookFailed, Level = LogLevel.Warning,
        Message = "Could not deliver webhook {EventType} {EventId} to {Url}: {Failure}. The next attempt is in {Pause}.")]
    public static partial void DeliveryFailed(ILogger logger, string eventType, Guid eventId, string url, string failure, string pause);

    [LoggerMessage(EventId = OperationsEventIds.WebhookRecovered, Level = LogLevel.Information,
        Message = "Delivered webhook {EventType} {EventId} to {Url} after {Rounds} failed rounds; later events follow.")]
    public static partial void DeliveredAfterFailures(ILogger logger, string eventType, Guid eventId, string url, int rounds);

    [LoggerMessage(EventId = OperationsEventIds.WebhookDropped, Level = LogLevel.Error,
        Message = "Dropped webhook {EventType} {EventId} for {Url}: it failed for longer than {GiveUpAfter}, most recently with {Failure}.")]
    public static partial void Dropped(ILogger logger, string eventType, Guid eventId, string url, string giveUpAfter, string failure);

    [LoggerMessage(EventId = OperationsEventIds.WebhookQueueFailed, Level = LogLevel.Error,
        Message = "Reading the webhook queue for {Url} failed; the next poll tries again.")]
    public static partial void QueueFailed(ILogger logger, Exception exception, string url);
}
