using MassTransit;
using Relayguard.Contracts;

namespace Relayguard.Detectors.Ca2;

public sealed class Ca2IpUnblockedConsumer(Ca2Rule rule) : IConsumer<IpUnblocked>
{
    public async Task Consume(ConsumeContext<IpUnblocked> context)
    {
        await rule.RecordLiftAsync(context.Message, context.CancellationToken);
    }
}
