using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Relayguard.Operations.Blocks;

namespace Relayguard.Operations.Mongo;

/// <summary>
/// Publishes the events that the MongoDB outbox still holds, every <see cref="Interval"/>: those whose request could
/// not publish them, because the bus was down or the process stopped.
/// </summary>
public sealed class MongoOutboxRelay(MongoEventOutbox outbox, IBus bus, TimeProvider time, ILogger<MongoOutboxRelay> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await outbox.PublishPendingAsync(bus, logger, stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                BlocksLog.OutboxFailed(logger, exception, Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
