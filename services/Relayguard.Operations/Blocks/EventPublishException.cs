namespace Relayguard.Operations.Blocks;

/// <summary>A block or lift event could not be published, so the change was rolled back.</summary>
public sealed class EventPublishException(string message, Exception innerException) : Exception(message, innerException);
