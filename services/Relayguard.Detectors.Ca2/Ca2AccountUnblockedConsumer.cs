using MassTransit;
using Relayguard.Contracts;

namespace Relayguard.Detectors.Ca2;

public sealed class Ca2AccountUnblockedConsumer(Ca2Rule rule) : IConsumer<AccountUnblocked>
{
    public async Task Consume(ConsumeContext<AccountUnblocked> context)
    {
        await rule.RecordLiftAsync(context.Message, context.CancellationToken);
    }
}
