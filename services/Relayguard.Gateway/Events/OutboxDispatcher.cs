using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Events;

/// <summary>
/// Publishes the outbox in order, one event at a time, and keeps retrying with backoff while the bus is down. The
/// published events of a batch are deleted with one statement; if the process stops before that, they are published
/// again, and consumers drop the copies by their EventId.
/// </summary>
/// <param name="topology">
/// On RabbitMQ, the service that declares the queues and bindings. Nothing is published before they exist, since
/// the broker drops an event published to an exchange that no queue is bound to yet. Null on the in-memory bus.
/// </param>
public sealed partial class OutboxDispatcher(EventOutbox outbox, IBus bus, ILogger<OutboxDispatcher> logger, RabbitMqTopologyService? topology = null) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The maximum time of one publish before it counts as failed and is retried. Without it, a publish caught by a
    /// broker restart could wait for good and hold back every later event. A retried event that did arrive is applied
    /// once, because consumers skip an EventId they have already processed.
    /// </summary>
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (topology is not null && !topology.Declared.IsCompleted)
        {
            LogWaitingForTopology(logger);
            await topology.Declared.WaitAsync(stoppingToken);
        }

        var backoff = TimeSpan.FromMilliseconds(100);
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            IReadOnlyList<OutboxItem> batch;
            try
            {
                batch = outbox.Peek(256);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The outbox file is busy or failing: the events stay in it, and the loop must not end.
                LogReadFailed(logger, ex, Durations.Format(backoff));
                await Task.Delay(backoff, stoppingToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                continue;
            }

            if (batch.Count == 0)
            {
                await outbox.WaitAsync(TimeSpan.FromSeconds(5), stoppingToken);
                continue;
            }

            long? published = null;
            foreach (var item in batch)
            {
                try
                {
                    // Published under the writing transaction's trace, so consumers continue that trace.
                    using var activity = item.TraceParent is null
                        ? null
                        : RelayguardTelemetry.Source.StartActivity("outbox.publish", ActivityKind.Producer, item.TraceParent);
                    activity?.SetTag("relayguard.event_id", item.EventId.ToString());
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    timeout.CancelAfter(PublishTimeout);
                    await bus.Publish(item.Message, item.Type, context => context.MessageId = item.EventId, timeout.Token);
                    published = item.Sequence;
                    if (failing)
                    {
                        LogPublishingResumed(logger, item.EventId);
                        failing = false;
                        backoff = TimeSpan.FromMilliseconds(100);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogPublishFailed(logger, ex, item.EventId, Durations.Format(backoff));
                    failing = true;
                    await Task.Delay(backoff, stoppingToken);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                    break;
                }
            }

            if (published is { } last)
            {
                try
                {
                    await outbox.RemoveThroughAsync(last);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The published events stay in the outbox and go out again; consumers apply each EventId once.
                    LogReadFailed(logger, ex, Durations.Format(backoff));
                    await Task.Delay(backoff, stoppingToken);
                }
            }
        }
    }

    [LoggerMessage(EventId = 2204, Level = LogLevel.Information, Message = "Publishing waits until the queues are declared on the broker; events stay in the outbox.")]
    private static partial void LogWaitingForTopology(ILogger logger);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "Publishing event {EventId} failed; it stays in the outbox and is retried in {Backoff}.")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, Guid eventId, string backoff);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Warning, Message = "Reading or trimming the event outbox failed; its events stay and are tried again in {Backoff}.")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, string backoff);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Information, Message = "Publishing resumed with event {EventId}.")]
    private static partial void LogPublishingResumed(ILogger logger, Guid eventId);
}
