namespace Relayguard.ServiceDefaults;

/// <summary>
/// The message bus of a service that runs as its own process (configuration section <c>Bus</c>). The embedded
/// mode ignores this section and always uses the in-memory transport.
/// </summary>
public sealed class BusOptions
{
    public const string SectionName = "Bus";

    public const string RabbitMqTransport = "rabbitmq";
    public const string InMemoryTransport = "inmemory";

    /// <summary><c>rabbitmq</c>, or <c>inmemory</c> for a service that runs alone (tests, a quick look). Default <c>rabbitmq</c>.</summary>
    public string Transport { get; set; } = RabbitMqTransport;

    /// <summary>The broker, as <c>amqp://USER:PASSWORD@HOST:PORT/VHOST</c> (<c>amqps://</c> for TLS). Required with <c>rabbitmq</c>.</summary>
    public string? RabbitMq { get; set; }

    /// <summary>Unacknowledged messages the broker hands to each receive endpoint at once. Default 16.</summary>
    public int PrefetchCount { get; set; } = 16;

    /// <summary>
    /// Whether start-up waits until the bus is connected. Default true. The gateway host turns it off, because it
    /// must accept mail with its cached blocks while the broker is unreachable.
    /// </summary>
    public bool WaitUntilStarted { get; set; } = true;

    /// <summary>
    /// Redeliveries of a message that failed all its immediate retries, each after the next of
    /// <see cref="RedeliveryIntervals"/>, before it moves to the endpoint's <c>_error</c> queue. Default <c>30s</c>, <c>2m</c>, <c>10m</c>.
    /// </summary>
    public List<TimeSpan> RedeliveryIntervals { get; set; } = [];

    /// <summary>The intervals in force: the configured ones, or the defaults when none are configured.</summary>
    public IReadOnlyList<TimeSpan> EffectiveRedeliveryIntervals =>
        RedeliveryIntervals.Count > 0 ? RedeliveryIntervals : [TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10)];

    public bool UsesRabbitMq => string.Equals(Transport, RabbitMqTransport, StringComparison.OrdinalIgnoreCase);
}
