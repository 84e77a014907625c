using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;
using Relayguard.Contracts;

namespace Relayguard.Benchmarks;

/// <summary>
/// When each step of a decision finished, by bus observation: the outbox published the crossing event, CA2 started
/// and finished consuming it, CA2 published the block, and this gateway's block consumer applied it. Keys are the
/// crossing event's id and the blocked address.
/// </summary>
public sealed class DecisionStages : IConsumeObserver, IPublishObserver
{
    private readonly ConcurrentDictionary<Guid, long> _published = new();
    private readonly ConcurrentDictionary<Guid, long> _started = new();
    private readonly ConcurrentDictionary<Guid, long> _counted = new();
    private readonly ConcurrentDictionary<string, long> _blockPublished = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _applied = new(StringComparer.Ordinal);

    public bool TryPublished(Guid eventId, out long timestamp) => _published.TryGetValue(eventId, out timestamp);

    public bool TryStarted(Guid eventId, out long timestamp) => _started.TryGetValue(eventId, out timestamp);

    public bool TryCounted(Guid eventId, out long timestamp) => _counted.TryGetValue(eventId, out timestamp);

    public bool TryBlockPublished(string ip, out long timestamp) => _blockPublished.TryGetValue(ip, out timestamp);

    public bool TryApplied(string ip, out long timestamp) => _applied.TryGetValue(ip, out timestamp);

    public Task PreConsume<T>(ConsumeContext<T> context)
        where T : class
    {
        var queue = context.ReceiveContext.InputAddress?.AbsolutePath ?? string.Empty;
        if (context.Message is MessageSubmitted submitted && queue.Contains("ca2-", StringComparison.Ordinal))
        {
            _started[submitted.EventId] = Stopwatch.GetTimestamp();
        }

        return Task.CompletedTask;
    }

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

    public Task PrePublish<T>(PublishContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PostPublish<T>(PublishContext<T> context)
        where T : class
    {
        var now = Stopwatch.GetTimestamp();
        if (context.Message is MessageSubmitted submitted)
        {
            _published[submitted.EventId] = now;
        }
        else if (context.Message is IpBlocked blocked)
        {
            _blockPublished[blocked.Ip] = now;
        }

        return Task.CompletedTask;
    }

    public Task PublishFault<T>(PublishContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;
}
