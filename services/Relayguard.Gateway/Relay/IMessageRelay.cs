using Relayguard.Gateway.Smtp;

namespace Relayguard.Gateway.Relay;

/// <summary>Hands an accepted message on: to the upstream MTA, or to the pickup folder.</summary>
public interface IMessageRelay
{
    Task<RelayResult> RelayAsync(OutgoingMessage message, CancellationToken cancellationToken);
}
