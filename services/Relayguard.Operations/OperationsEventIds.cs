namespace Relayguard.Operations;

/// <summary>The log event ids of the operations service, kept in one place so that none is used twice.</summary>
internal static class OperationsEventIds
{
    public const int BlockRecorded = 3001;
    public const int BlockEventDuplicate = 3002;
    public const int BlocksLifted = 3003;
    public const int LiftEventApplied = 3004;
    public const int PublishFailed = 3005;
    public const int EvidencePruned = 3006;
    public const int PublishDeferred = 3007;
    public const int OutboxPublished = 3008;
    public const int OutboxDropped = 3009;
    public const int OutboxFailed = 3010;
    public const int TokenAdded = 3101;
    public const int TokenRemoved = 3102;
    public const int AllowlistEntryAdded = 3201;
    public const int AllowlistEntryRemoved = 3202;
    public const int WebhooksStarted = 3301;
    public const int WebhookDelivered = 3302;
    public const int WebhookRetrying = 3303;
    public const int WebhookFailed = 3304;
    public const int WebhookDropped = 3305;
    public const int WebhookQueueFailed = 3306;
    public const int WebhookRecovered = 3307;
    public const int WarningRecorded = 3401;
    public const int MaintenanceFailed = 3501;
}
