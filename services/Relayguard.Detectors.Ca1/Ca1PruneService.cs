using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MongoDB.Driver;

namespace Relayguard.Detectors.Ca1;

/// <summary>Prunes the CA1 tables at start, which also creates them, and then every <see cref="Interval"/>.</summary>
internal sealed class Ca1PruneService(Ca1Rule rule, Ca1EarlyWarning earlyWarning, TimeProvider time, ILogger<Ca1PruneService> logger) : BackgroundService
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
                earlyWarning.Prune();
            }
            catch (Exception exception) when (exception is SqliteException or MongoException)
            {
                Log.PruneFailed(logger, exception, Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
