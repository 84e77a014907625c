using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Blocks;

/// <summary>
/// Catches the block cache up with the operations service by request and response: at start, then every
/// <see cref="CatchUpOptions.Interval"/>. It adds the active blocks the gateway lacks (a block made before this
/// instance's queue existed) and drops the ones operations reports as ended (a lift that never reached the queue).
/// Until operations responds, the gateway enforces its local snapshot, so a restart while operations is down
/// forgets no block.
/// </summary>
public sealed partial class BlockCatchUpService(
    BlockCache cache,
    IBusControl bus,
    IRequestClient<ListActiveBlocks> client,
    IOptions<CatchUpOptions> options,
    TimeProvider time,
    ILogger<BlockCatchUpService> logger) : BackgroundService
{
    private const int PageSize = 500;

    /// <summary>Completed catch-ups since start; tests and the log read it.</summary>
    public int Completed { get; private set; }

    /// <summary>Requests every page once and applies them. Returns the numbers of blocks added or confirmed, and dropped.</summary>
    public async Task<(int Active, int Dropped)> CatchUpAsync(CancellationToken cancellationToken)
    {
        var held = cache.Active();
        var heldIds = held.Select(entry => entry.EventId).Distinct().ToList();
        var active = 0;
        var dropped = 0;
        string? after = null;
        var first = true;
        do
        {
            var request = new ListActiveBlocks { After = after, Limit = PageSize, HeldEventIds = first ? heldIds : [] };
            var response = await client.GetResponse<ActiveBlockList>(request, cancellationToken, RequestTimeout.After(ms: (int)options.Value.Timeout.TotalMilliseconds));
            var page = response.Message;
            foreach (var block in page.AccountBlocks)
            {
                cache.Apply(BlockEventEntries.From(block));
            }

            foreach (var block in page.IpBlocks)
            {
                cache.Apply(BlockEventEntries.From(block));
            }

            active += page.AccountBlocks.Count + page.IpBlocks.Count;
            var ended = page.EndedEventIds.ToHashSet();
            foreach (var entry in held.Where(entry => ended.Contains(entry.EventId)))
            {
                // Recorded at the block's own time, so a late copy of this block event is ignored.
                cache.Lift(entry.Kind, entry.Subject, [entry.Code], entry.BlockedAt);
                dropped++;
            }

            after = page.Next;
            first = false;
        }
        while (after is not null);

        Completed++;
        return (active, dropped);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;

        // The response comes back to the bus's own endpoint. Before the bus has started that endpoint, the response is
        // lost and the request times out, so the first catch-up waits for the bus, up to the catch-up timeout.
        using (var ready = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
        {
            ready.CancelAfter(settings.Timeout);
            try
            {
                await bus.WaitForHealthStatus(BusHealthStatus.Healthy, ready.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The bus is not ready yet, for example while the broker is down: the catch-up tries anyway and retries.
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var (active, dropped) = await CatchUpAsync(stoppingToken);
                LogCaughtUp(logger, active, dropped);
                backoff = TimeSpan.FromSeconds(1);
                wait = settings.Interval;
            }
            catch (Exception exception) when (exception is RequestTimeoutException or RequestFaultException or MassTransitException && !stoppingToken.IsCancellationRequested)
            {
                // A timeout or a fault is expected while operations is down, and its message is enough. A stack trace
                // would repeat in the log at every retry.
                LogCatchUpFailed(logger, exception.GetType().Name, exception.Message, Durations.Format(backoff));
                wait = backoff;
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, settings.MaxBackoff.Ticks));
            }

            try
            {
                await Task.Delay(wait, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = 1701, Level = LogLevel.Information, Message = "Caught up with the operations service: {Active} active blocks listed, {Dropped} ended blocks dropped.")]
    private static partial void LogCaughtUp(ILogger logger, int active, int dropped);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Warning, Message = "Catching up with the operations service failed ({ErrorType}: {Error}); enforcing the local snapshot and retrying in {Backoff}.")]
    private static partial void LogCatchUpFailed(ILogger logger, string errorType, string error, string backoff);
}
