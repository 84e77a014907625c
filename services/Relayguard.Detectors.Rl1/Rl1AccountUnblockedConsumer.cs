using MassTransit;
using Relayguard.Contracts;

namespace Relayguard.Detectors.Rl1;

public sealed class Rl1AccountUnblockedConsumer(Rl1Rule rule) : IConsumer<AccountUnblocked>
{
    public async Task Consume(ConsumeContext<AccountUnblocked> context)
    {
        await rule.RecordLiftAsync(context.Message, context.CancellationToken);
    }
}
