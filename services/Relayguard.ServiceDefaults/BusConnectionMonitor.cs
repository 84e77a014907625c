using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// Logs, in the service's own words, when the connection to the message broker is lost and when it is back, with how
/// long it was away. MassTransit logs each failed reconnection as a warning of its own, but no line of its marks the
/// end of an outage. The monitor reads MassTransit's bus health every <see cref="Interval"/>; the first change
/// it reports is the first connection, so a service that starts before its broker does not log a lost connection.
/// </summary>
/// <param name="whileAway">What the service does while the broker is away, ending the lost-connection line.</param>
public sealed partial class BusConnectionMonitor(
    IBusControl bus,
    IOptions<BusOptions> options,
    ILogger<BusConnectionMonitor> logger,
    TimeProvider time,
    string whileAway) : BackgroundService
{
    /// <summary>How often the bus health is read.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var broker = new Uri(options.Value.RabbitMq!);
        var connected = false;
        var everConnected = false;
        var changedAt = time.GetUtcNow();
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var health = bus.CheckHealth();
                var now = health.Status == BusHealthStatus.Healthy;
                if (now == connected)
                {
                    continue;
                }

                var away = time.GetUtcNow() - changedAt;
                changedAt = time.GetUtcNow();
                connected = now;
                if (now && !everConnected)
                {
                    everConnected = true;
                    LogConnected(logger, broker.Host, broker.Port, Durations.Format(Whole(away)));
                }
                else if (now)
                {
                    LogBack(logger, broker.Host, broker.Port, Durations.Format(Whole(away)));
                }
                else
                {
                    LogLost(logger, broker.Host, broker.Port, Reason(health.Description), whileAway);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Shortens MassTransit's description to one line of at most 200 characters: an endpoint's own text can run to kilobytes.</summary>
    internal static string Reason(string? description)
    {
        const int MaxLength = 200;
        var text = (description ?? string.Empty).ReplaceLineEndings(" ").Trim().TrimEnd(':').Trim();
        if (text.Length == 0)
        {
            return "no reason given";
        }

        return text.Length <= MaxLength ? text : string.Concat(text.AsSpan(0, MaxLength), "…");
    }

    private static TimeSpan Whole(TimeSpan duration) => TimeSpan.FromSeconds(Math.Max(1, Math.Round(duration.TotalSeconds)));

    [LoggerMessage(EventId = 9121, Level = LogLevel.Information, Message = "Connected to the message broker at {Host}:{Port}, {Duration} after start.")]
    private static partial void LogConnected(ILogger logger, string host, int port, string duration);

    [LoggerMessage(EventId = 9122, Level = LogLevel.Warning, Message = "Lost the connection to the message broker at {Host}:{Port} ({Reason}). {WhileAway}")]
    private static partial void LogLost(ILogger logger, string host, int port, string reason, string whileAway);

    [LoggerMessage(EventId = 9123, Level = LogLevel.Information, Message = "The message broker at {Host}:{Port} is back after {Duration}.")]
    private static partial void LogBack(ILogger logger, string host, int port, string duration);
}
