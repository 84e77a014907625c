using MassTransit;
using Relayguard.Contracts;
using Relayguard.Detectors.Bo1;
using Relayguard.Detectors.Ca1;
using Relayguard.Detectors.Ca2;
using Relayguard.Detectors.Rl1;
using Relayguard.Operations.Consumers;
using Relayguard.ServiceDefaults;

namespace Relayguard.DistributedTests;

/// <summary>The queues every service declares before its bus starts are the ones the consumers' definitions name.</summary>
public sealed class TopologyTests
{
    private static readonly IEndpointNameFormatter Formatter = KebabCaseEndpointNameFormatter.Instance;

    [Fact]
    public void Topology_MatchesConsumerDefinitions()
    {
        (string Queue, Type Message)[] expected =
        [
            (Name(new Ca1MessageSubmittedConsumerDefinition()), typeof(MessageSubmitted)),
            (Name(new Ca1DeliveryBouncedConsumerDefinition()), typeof(DeliveryBounced)),
            (Name(new Ca1AccountUnblockedConsumerDefinition()), typeof(AccountUnblocked)),
            (Name(new Ca2MessageSubmittedConsumerDefinition()), typeof(MessageSubmitted)),
            (Name(new Ca2AccountUnblockedConsumerDefinition()), typeof(AccountUnblocked)),
            (Name(new Ca2IpUnblockedConsumerDefinition()), typeof(IpUnblocked)),
            (Name(new Bo1MessageSubmittedConsumerDefinition()), typeof(MessageSubmitted)),
            (Name(new Bo1AccountUnblockedConsumerDefinition()), typeof(AccountUnblocked)),
            (Name(new Bo1IpUnblockedConsumerDefinition()), typeof(IpUnblocked)),
            (Name(new Rl1MessageSubmittedConsumerDefinition()), typeof(MessageSubmitted)),
            (Name(new Rl1AccountUnblockedConsumerDefinition()), typeof(AccountUnblocked)),
            (Name(new Rl1IpUnblockedConsumerDefinition()), typeof(IpUnblocked)),
            (Name(new AccountBlockedConsumerDefinition()), typeof(AccountBlocked)),
            (Name(new IpBlockedConsumerDefinition()), typeof(IpBlocked)),
            (Name(new AccountUnblockedConsumerDefinition()), typeof(AccountUnblocked)),
            (Name(new IpUnblockedConsumerDefinition()), typeof(IpUnblocked)),
            (Name(new AuthThrottledConsumerDefinition()), typeof(AuthThrottled)),
            (Name(new ListActiveBlocksConsumerDefinition()), typeof(ListActiveBlocks)),
        ];

        var declared = RelayguardTopology.Endpoints.SelectMany(e => e.MessageTypes.Select(m => (e.Queue, Message: m))).ToList();

        Assert.Equal(expected.Order(), declared.Order());
    }

    [Fact]
    public void ExchangeName_IsMassTransitEntityName()
    {
        Assert.Equal("Relayguard.Contracts:MessageSubmitted", RelayguardTopology.ExchangeName(typeof(MessageSubmitted)));
        Assert.Equal(MessageUrn.ForTypeString<MessageSubmitted>(), "urn:message:" + RelayguardTopology.ExchangeName(typeof(MessageSubmitted)));
    }

    private static string Name(IConsumerDefinition definition) => definition.GetEndpointName(Formatter);
}
