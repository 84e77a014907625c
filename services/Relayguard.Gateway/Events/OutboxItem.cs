namespace Relayguard.Gateway.Events;

/// <summary>An event waiting in the outbox, with the W3C trace context of the transaction that wrote it.</summary>
public sealed record OutboxItem(long Sequence, Guid EventId, Type Type, object Message, string? TraceParent);
