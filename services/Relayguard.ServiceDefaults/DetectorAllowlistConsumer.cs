using MassTransit;
using Relayguard.Contracts;

namespace Relayguard.ServiceDefaults;

/// <summary>Keeps one detector's <see cref="IDetectorAllowlist{TRule}"/> current. Each detector has an endpoint of its own, so every detector receives every change.</summary>
public sealed class DetectorAllowlistConsumer<TRule>(IDetectorAllowlist<TRule> allowlist, TimeProvider time)
    : IConsumer<AllowlistEntryAdded>, IConsumer<AllowlistEntryRemoved>
{
    public Task Consume(ConsumeContext<AllowlistEntryAdded> context)
    {
        allowlist.Apply(context.Message, time.GetUtcNow());
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<AllowlistEntryRemoved> context)
    {
        allowlist.Apply(context.Message, time.GetUtcNow());
        return Task.CompletedTask;
    }
}
