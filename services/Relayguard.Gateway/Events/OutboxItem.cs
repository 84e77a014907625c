namespace Relayguard.Gateway.Events;

public sealed record OutboxItem(long Sequence, Guid EventId, Type Type, object Message);
