using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MongoDB.Driver;
using Relayguard.Operations.Blocks;
using Relayguard.Operations.Warnings;
using Relayguard.Operations.Webhooks;

namespace Relayguard.Operations;

/// <summary>
/// Deletes what the operations service keeps only for a while, at start and then every <see cref="Interval"/>: the
/// evidence samples of blocks that ended longer ago than <c>Operations:EvidenceRetention</c>, webhook events older
/// than <see cref="WebhookRetention"/>, and warnings older than <see cref="WarningRetention"/>.
/// </summary>
public sealed partial class OperationsMaintenance(
    IBlockStore blocks,
    IWebhookQueue webhooks,
    IWarningStore warnings,
    TimeProvider time,
    ILogger<OperationsMaintenance> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    /// <summary>Longer than the longest <c>Webhooks:GiveUpAfter</c> an operator would set, so no event is deleted before it is sent.</summary>
    public static readonly TimeSpan WebhookRetention = TimeSpan.FromDays(7);

    public static readonly TimeSpan WarningRetention = TimeSpan.FromDays(90);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                blocks.PruneEvidence();
                webhooks.Prune(time.GetUtcNow() - WebhookRetention);
                warnings.Prune(time.GetUtcNow() - WarningRetention);
            }
            catch (Exception exception) when (exception is SqliteException or MongoException)
            {
                LogFailed(logger, exception, Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = OperationsEventIds.MaintenanceFailed, Level = LogLevel.Error,
        Message = "Deleting old evidence samples, webhook events or warnings failed. The next attempt is in {Interval}.")]
    private static partial void LogFailed(ILogger logger, Exception exception, TimeSpan interval);
}
