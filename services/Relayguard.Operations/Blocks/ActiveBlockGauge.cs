using Microsoft.Extensions.Hosting;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Blocks;

/// <summary>
/// Publishes <c>relayguard.blocks.active</c>, the active blocks by rule code, from the block registry. The count
/// is read at most every 15 seconds, however often Prometheus scrapes.
/// </summary>
public sealed class ActiveBlockGauge(SqliteDatabase database, TimeProvider time) : IHostedService
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

            using var connection = database.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT code, COUNT(*) FROM blocks WHERE lifted_at IS NULL AND (expires_at IS NULL OR expires_at > $now) GROUP BY code;";
            command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            using var reader = command.ExecuteReader();
            var counts = new List<(string, long)>();
            while (reader.Read())
            {
                counts.Add((reader.GetString(0), reader.GetInt64(1)));
            }

            _counts = counts;
            _readAt = now;
            return counts;
        }
    }
}
