using MassTransit;
using Relayguard.Contracts;

namespace Relayguard.Detectors.Rl1;

public sealed class Rl1IpUnblockedConsumer(Rl1Rule rule) : IConsumer<IpUnblocked>
{
    public async Task Consume(ConsumeContext<IpUnblocked> context)
    {
        await rule.RecordLiftAsync(context.Message, context.CancellationToken);
    }
}
