using Microsoft.Extensions.Hosting;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Blocks;

/// <summary>
/// Publishes <c>relayguard.blocks.active</c>, the active blocks by rule code, from the block registry. The count
/// is read at most every 15 seconds, however often Prometheus scrapes.
/// </summary>
public sealed class ActiveBlockGauge(IBlockStore store, TimeProvider time) : IHostedService
{
    private readonly object _gate = new();
    private IReadOnlyList<(string Code, long Count)> _counts = [];
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        RelayguardTelemetry.Meter.CreateObservableGauge(
            "relayguard.blocks.active",
            () => Read().Select(c => new System.Diagnostics.Metrics.Measurement<long>(c.Count, RelayguardTelemetry.Tag("code", c.Code))),
            "{block}",
            "Active blocks in the registry by rule code.");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private IReadOnlyList<(string Code, long Count)> Read()
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (now - _readAt < TimeSpan.FromSeconds(15))
            {
                return _counts;
            }

            var counts = store.CountActive();
            _counts = counts;
            _readAt = now;
            return counts;
        }
    }
}
