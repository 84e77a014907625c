using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relayguard.Gateway.Identity;
using Relayguard.Gateway.Index;

namespace Relayguard.Gateway;

/// <summary>Deletes message index entries past their retention and the saved AUTH throttles that have ended, once an hour.</summary>
public sealed partial class GatewayMaintenance(MessageIndex index, AuthThrottleJournal throttles, IOptions<DataOptions> data, TimeProvider time, ILogger<GatewayMaintenance> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), time);
        do
        {
            var removed = index.Prune(time.GetUtcNow() - data.Value.IndexRetention);
            if (removed > 0)
            {
                LogPruned(logger, removed);
            }

            // Each throttle of an address is saved when it starts, so a login flood from many addresses leaves a row
            // for each of them until it is deleted here.
            throttles.Prune();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = 2301, Level = LogLevel.Information, Message = "Removed {Count} message index entries past their retention.")]
    private static partial void LogPruned(ILogger logger, int count);
}
