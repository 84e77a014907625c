using MassTransit;

namespace Relayguard.Detectors.Ca1;

/// <summary>Runs the counts requests on an endpoint of their own, so a busy CA1 queue does not hold up the console's chart.</summary>
public sealed class Ca1CountsConsumerDefinition : ConsumerDefinition<Ca1CountsConsumer>
{
    public Ca1CountsConsumerDefinition()
    {
        EndpointName = "ca1-counts";
        ConcurrentMessageLimit = Ca1Registration.ConcurrentMessageLimit;
    }
}
