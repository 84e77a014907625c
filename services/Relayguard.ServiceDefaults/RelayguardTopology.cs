using Relayguard.Contracts;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// The shared receive endpoints of a distributed deployment and the messages each one receives. Every service
/// declares them on RabbitMQ before its bus starts, because a message published to an exchange that no queue is
/// bound to is dropped: a gateway that starts before the detectors must not lose its first events. The names are
/// those that MassTransit's kebab-case formatter gives the consumers; a test compares the two.
/// </summary>
public static class RelayguardTopology
{
    public static IReadOnlyList<EndpointBinding> Endpoints { get; } =
    [
        new("ca1-message-submitted", [typeof(MessageSubmitted)]),
        new("ca1-delivery-bounced", [typeof(DeliveryBounced)]),
        new("ca1-account-unblocked", [typeof(AccountUnblocked)]),
        new("ca2-message-submitted", [typeof(MessageSubmitted)]),
        new("ca2-account-unblocked", [typeof(AccountUnblocked)]),
        new("ca2-ip-unblocked", [typeof(IpUnblocked)]),
        new("bo1-message-submitted", [typeof(MessageSubmitted)]),
        new("bo1-account-unblocked", [typeof(AccountUnblocked)]),
        new("bo1-ip-unblocked", [typeof(IpUnblocked)]),
        new("rl1-message-submitted", [typeof(MessageSubmitted)]),
        new("rl1-account-unblocked", [typeof(AccountUnblocked)]),
        new("rl1-ip-unblocked", [typeof(IpUnblocked)]),
        new("operations-account-blocked", [typeof(AccountBlocked)]),
        new("operations-ip-blocked", [typeof(IpBlocked)]),
        new("operations-account-unblocked", [typeof(AccountUnblocked)]),
        new("operations-ip-unblocked", [typeof(IpUnblocked)]),
        new("operations-auth-throttled", [typeof(AuthThrottled)]),
        new("operations-list-active-blocks", [typeof(ListActiveBlocks)]),
    ];

    /// <summary>The exchange MassTransit publishes a message type to: <c>Namespace:TypeName</c>.</summary>
    public static string ExchangeName(Type messageType) => $"{messageType.Namespace}:{messageType.Name}";

    /// <summary>A queue (and the exchange of the same name in front of it) and the message types bound to it.</summary>
    public sealed record EndpointBinding(string Queue, IReadOnlyList<Type> MessageTypes);
}
