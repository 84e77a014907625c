using MassTransit;
using Relayguard.Contracts;

namespace Relayguard.Detectors.Bo1;

public sealed class Bo1AccountUnblockedConsumer(Bo1Rule rule) : IConsumer<AccountUnblocked>
{
    public async Task Consume(ConsumeContext<AccountUnblocked> context)
    {
        await rule.RecordLiftAsync(context.Message, context.CancellationToken);
    }
}
