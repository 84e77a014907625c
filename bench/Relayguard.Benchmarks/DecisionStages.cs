using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;
using Relayguard.Contracts;

namespace Relayguard.Benchmarks;

/// <summary>
/// When each step of a decision finished, by bus observation: CA2 consumed the crossing event, and this gateway's
/// block consumer applied the block it published. Keys are the crossing event's id and the blocked address.
/// </summary>
public sealed class DecisionStages : IConsumeObserver
{
    private readonly ConcurrentDictionary<Guid, long> _counted = new();
    private readonly ConcurrentDictionary<string, long> _applied = new(StringComparer.Ordinal);

    public bool TryCounted(Guid eventId, out long timestamp) => _counted.TryGetValue(eventId, out timestamp);

    public bool TryApplied(string ip, out long timestamp) => _applied.TryGetValue(ip, out timestamp);

    public Task PreConsume<T>(ConsumeContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context)
        where T : class
    {
        var now = Stopwatch.GetTimestamp();
        var queue = context.ReceiveContext.InputAddress?.AbsolutePath ?? string.Empty;
        if (context.Message is MessageSubmitted submitted && queue.Contains("ca2-", StringComparison.Ordinal))
        {
            _counted[submitted.EventId] = now;
        }
        else if (context.Message is IpBlocked blocked && queue.Contains("gateway-", StringComparison.Ordinal))
        {
            _applied[blocked.Ip] = now;
        }

        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;
}
