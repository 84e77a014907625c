using MassTransit;
using MassTransit.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// Redelivery after a delay on RabbitMQ without the delayed-message-exchange plugin, which Debian's rabbitmq-server
/// 3.10 does not ship and MassTransit's own delayed redelivery needs. A message that failed all its immediate
/// retries is published to a delay queue per interval (<c>relayguard-redelivery-30000ms</c>: <c>x-message-ttl</c> of
/// the interval, dead-lettered to the default exchange), with the original queue as routing key, so the broker
/// puts it back on that queue when the time is up. After the last interval the failure propagates, and MassTransit
/// moves the message to the endpoint's <c>_error</c> queue: the dead-letter path, from where an operator can move it back.
/// </summary>
public static class DelayedRedelivery
{
    /// <summary>The header that counts redeliveries of one message.</summary>
    public const string CountHeader = "x-relayguard-redelivery";

    public static string DelayQueueName(TimeSpan interval) => $"relayguard-redelivery-{(long)interval.TotalMilliseconds}ms";

    /// <summary>
    /// Adds delayed redelivery to every message type of the endpoint. Call it before <c>UseMessageRetry</c>, so the
    /// immediate retries run inside each redelivery. Does nothing unless the service runs on RabbitMQ through
    /// <see cref="BusRegistration.AddRelayguardBus"/> (the embedded mode keeps immediate retries only).
    /// </summary>
    public static void UseRelayguardRedelivery(this IReceiveEndpointConfigurator endpoint, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(context);
        if (context.GetService<RabbitMqTopologyService>() is not { } topology)
        {
            return;
        }

        var intervals = context.GetRequiredService<IOptions<BusOptions>>().Value.EffectiveRedeliveryIntervals;
        var logger = context.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DelayedRedelivery).FullName!);
        _ = new RedeliveryConfigurationObserver(endpoint, new RedeliverySettings(intervals, () => topology.Declared.IsCompletedSuccessfully, logger));
    }

    internal sealed record RedeliverySettings(IReadOnlyList<TimeSpan> Intervals, Func<bool> TopologyDeclared, ILogger Logger);

    /// <summary>Puts the redelivery filter in front of each message type's pipe, where MassTransit's retry also goes.</summary>
    private sealed class RedeliveryConfigurationObserver : ConfigurationObserver, IMessageConfigurationObserver
    {
        private readonly RedeliverySettings _settings;

        public RedeliveryConfigurationObserver(IConsumePipeConfigurator configurator, RedeliverySettings settings)
            : base(configurator)
        {
            _settings = settings;
            Connect(this);
        }

        public void MessageConfigured<TMessage>(IConsumePipeConfigurator configurator)
            where TMessage : class =>
            configurator.AddPipeSpecification(new RedeliverySpecification<TMessage>(_settings));
    }

    private sealed class RedeliverySpecification<TMessage>(RedeliverySettings settings) : IPipeSpecification<ConsumeContext<TMessage>>
        where TMessage : class
    {
        public void Apply(IPipeBuilder<ConsumeContext<TMessage>> builder) => builder.AddFilter(new DelayedRedeliveryFilter<TMessage>(settings));

        public IEnumerable<ValidationResult> Validate() => [];
    }
}
