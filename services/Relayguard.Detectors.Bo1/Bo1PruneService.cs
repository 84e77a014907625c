using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MongoDB.Driver;

namespace Relayguard.Detectors.Bo1;

/// <summary>Prunes the BO1 tables at start, which also creates them, and then every <see cref="Interval"/>.</summary>
internal sealed class Bo1PruneService(Bo1Rule rule, TimeProvider time, ILogger<Bo1PruneService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await rule.PruneAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is SqliteException or MongoException)
            {
                Log.PruneFailed(logger, exception, Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
