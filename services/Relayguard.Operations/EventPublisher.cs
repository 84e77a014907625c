namespace Relayguard.Operations;

/// <summary>
/// Publishes one event with <paramref name="eventId"/> as the bus message id. Raises
/// <see cref="Blocks.EventPublishException"/> when the bus does not take it.
/// </summary>
public delegate Task EventPublisher(object message, Guid eventId, CancellationToken cancellationToken);
