using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MongoDB.Driver;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Webhooks;

/// <summary>
/// Sends the queued events to each configured receiver in queue order. A receiver that keeps failing is tried again
/// after a growing pause (up to 5 minutes), and an event it has not taken within <see cref="WebhookOptions.GiveUpAfter"/>
/// is dropped with an error in the log, so one broken receiver neither stops the others nor blocks its own queue for ever.
/// </summary>
public sealed class WebhookDispatcher(
    IWebhookQueue queue,
    WebhookSender sender,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private const int BatchSize = 100;

    private static readonly TimeSpan MaxPause = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.Endpoints.Count == 0)
        {
            return;
        }

        var receivers = settings.Endpoints.Select(endpoint => new Receiver(endpoint, queue.GetOrCreateCursor(endpoint.Url))).ToList();
        WebhooksLog.Started(logger, receivers.Count);
        using var timer = new PeriodicTimer(Durations.Parse(settings.PollInterval), time);
        do
        {
            foreach (var receiver in receivers.Where(receiver => receiver.PausedUntil <= time.GetUtcNow()))
            {
                try
                {
                    await DeliverPendingAsync(receiver, settings, stoppingToken);
                }
                catch (Exception exception) when (exception is SqliteException or MongoException)
                {
                    WebhooksLog.QueueFailed(logger, exception, receiver.Endpoint.Url);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task DeliverPendingAsync(Receiver receiver, WebhookOptions settings, CancellationToken cancellationToken)
    {
        var giveUpAfter = Durations.Parse(settings.GiveUpAfter);
        foreach (var item in queue.ReadAfter(receiver.Cursor, BatchSize))
        {
            var wanted = receiver.Endpoint.Events.Count == 0 || receiver.Endpoint.Events.Contains(WebhookEvents.CategoryOf(item.Type));
            var failure = wanted ? await sender.SendAsync(receiver.Endpoint, item, cancellationToken) : null;
            if (failure is not null)
            {
                if (time.GetUtcNow() - item.CreatedAt < giveUpAfter)
                {
                    receiver.Failures++;
                    var pause = TimeSpan.FromTicks(Math.Min(MaxPause.Ticks, Durations.Parse(settings.RetryDelay).Ticks << Math.Min(receiver.Failures, 20)));
                    receiver.PausedUntil = time.GetUtcNow() + pause;
                    WebhooksLog.DeliveryFailed(logger, item.Type, item.EventId, receiver.Endpoint.Url, failure, Durations.Format(pause));
                    return;
                }

                WebhooksLog.Dropped(logger, item.Type, item.EventId, receiver.Endpoint.Url, Durations.Format(giveUpAfter), failure);
            }
            else if (wanted && receiver.Failures > 0)
            {
                WebhooksLog.DeliveredAfterFailures(logger, item.Type, item.EventId, receiver.Endpoint.Url, receiver.Failures);
            }
            else if (wanted)
            {
                WebhooksLog.Delivered(logger, item.Type, item.EventId, receiver.Endpoint.Url);
            }

            receiver.Failures = 0;
            receiver.Cursor = item.Id;
            queue.SaveCursor(receiver.Endpoint.Url, item.Id);
        }
    }

    /// <summary>A receiver's place in the queue and its failure state, which is kept in memory only.</summary>
    private sealed class Receiver(WebhookEndpointOptions endpoint, long cursor)
    {
        public WebhookEndpointOptions Endpoint { get; } = endpoint;

        public long Cursor { get; set; } = cursor;

        public int Failures { get; set; }

        public DateTimeOffset PausedUntil { get; set; } = DateTimeOffset.MinValue;
    }
}
