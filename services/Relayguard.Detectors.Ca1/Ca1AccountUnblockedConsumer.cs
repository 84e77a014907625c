using MassTransit;
using Relayguard.Contracts;

namespace Relayguard.Detectors.Ca1;

public sealed class Ca1AccountUnblockedConsumer(Ca1Rule rule) : IConsumer<AccountUnblocked>
{
    public async Task Consume(ConsumeContext<AccountUnblocked> context)
    {
        await rule.RecordLiftAsync(context.Message, context.CancellationToken);
    }
}
