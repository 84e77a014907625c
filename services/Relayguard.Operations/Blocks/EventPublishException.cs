namespace Relayguard.Operations.Blocks;

/// <summary>An operator's event could not be published: a SQLite store rolled the change back.</summary>
public sealed class EventPublishException(string message, Exception innerException) : Exception(message, innerException);
