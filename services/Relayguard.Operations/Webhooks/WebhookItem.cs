namespace Relayguard.Operations.Webhooks;

/// <summary>One event waiting in the webhook queue, with the JSON body every receiver gets.</summary>
public sealed record WebhookItem(long Id, Guid EventId, string Type, string Body, DateTimeOffset CreatedAt);
