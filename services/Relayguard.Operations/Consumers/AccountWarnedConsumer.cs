using MassTransit;
using Relayguard.Contracts;
using Relayguard.Operations.Warnings;

namespace Relayguard.Operations.Consumers;

/// <summary>Records an early warning for the console and the webhooks, once per <c>EventId</c>.</summary>
public sealed class AccountWarnedConsumer(IWarningStore store) : IConsumer<AccountWarned>
{
    public Task Consume(ConsumeContext<AccountWarned> context)
    {
        store.Record(context.Message);
        return Task.CompletedTask;
    }
}
