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
public sealed partial class OutboxDispatcher(EventOutbox outbox, IBus bus, ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            var batch = outbox.Peek(256);
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
                    await bus.Publish(item.Message, item.Type, context => context.MessageId = item.EventId, stoppingToken);
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
                    LogPublishFailed(logger, ex, item.EventId, backoff);
                    failing = true;
                    await Task.Delay(backoff, stoppingToken);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                    break;
                }
            }

            if (published is { } last)
            {
                await outbox.RemoveThroughAsync(last);
            }
        }
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "Publishing event {EventId} failed; it stays in the outbox and is retried in {Backoff}.")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, Guid eventId, TimeSpan backoff);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "Publishing resumed with event {EventId}.")]
    private static partial void LogPublishingResumed(ILogger logger, Guid eventId);
}
