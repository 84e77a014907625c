namespace Relayguard.Gateway.Identity;

/// <summary>Dovecot's auth service sent something this client cannot use.</summary>
public sealed class DovecotProtocolException(string message) : Exception(message);
