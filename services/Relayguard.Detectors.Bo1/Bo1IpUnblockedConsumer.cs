using MassTransit;
using Relayguard.Contracts;

namespace Relayguard.Detectors.Bo1;

public sealed class Bo1IpUnblockedConsumer(Bo1Rule rule) : IConsumer<IpUnblocked>
{
    public async Task Consume(ConsumeContext<IpUnblocked> context)
    {
        await rule.RecordLiftAsync(context.Message, context.CancellationToken);
    }
}
