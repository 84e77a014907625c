using System.Diagnostics;
using MassTransit;
using MassTransit.RabbitMqTransport;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace Relayguard.ServiceDefaults;

/// <summary>Republishes a failed message to the delay queue of its next redelivery interval; see <see cref="DelayedRedelivery"/>.</summary>
internal sealed partial class DelayedRedeliveryFilter<TMessage>(DelayedRedelivery.RedeliverySettings settings) : IFilter<ConsumeContext<TMessage>>
    where TMessage : class
{
    public async Task Send(ConsumeContext<TMessage> context, IPipe<ConsumeContext<TMessage>> next)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next.Send(context);
        }
        catch (Exception exception) when (!context.CancellationToken.IsCancellationRequested)
        {
            var redeliveries = context.ReceiveContext.TransportHeaders.Get<int>(DelayedRedelivery.CountHeader) ?? 0;
            if (redeliveries >= settings.Intervals.Count
                || !settings.TopologyDeclared()
                || !context.ReceiveContext.TryGetPayload<RabbitMqBasicConsumeContext>(out var delivery)
                || !context.ReceiveContext.TryGetPayload<ChannelContext>(out var channel))
            {
                LogGivingUp(settings.Logger, exception, context.MessageId, typeof(TMessage).Name, redeliveries);
                throw;
            }

            var interval = settings.Intervals[redeliveries];
            var queue = context.ReceiveContext.InputAddress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)[^1];
            var properties = new BasicProperties(delivery.Properties)
            {
                Headers = new Dictionary<string, object?>(delivery.Properties.Headers ?? new Dictionary<string, object?>())
                {
                    [DelayedRedelivery.CountHeader] = redeliveries + 1,
                },
            };
            await channel.BasicPublishAsync(DelayedRedelivery.DelayQueueName(interval), queue, false, properties, context.ReceiveContext.GetBody(), true, context.CancellationToken);

            // The message is handed on, so the endpoint acknowledges it instead of moving it to a dead-letter queue.
            await context.NotifyConsumed(context, Stopwatch.GetElapsedTime(started), nameof(DelayedRedeliveryFilter<TMessage>));
            LogRedelivering(settings.Logger, exception, context.MessageId, typeof(TMessage).Name, redeliveries + 1, settings.Intervals.Count, interval, queue);
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("relayguard-delayed-redelivery");

    [LoggerMessage(EventId = 9111, Level = LogLevel.Warning, Message = "Message {MessageId} ({MessageType}) failed its retries; redelivery {Redelivery} of {Redeliveries} in {Interval} on queue {Queue}.")]
    private static partial void LogRedelivering(ILogger logger, Exception exception, Guid? messageId, string messageType, int redelivery, int redeliveries, TimeSpan interval, string queue);

    [LoggerMessage(EventId = 9112, Level = LogLevel.Error, Message = "Message {MessageId} ({MessageType}) failed after {Redeliveries} redeliveries and moves to the error queue.")]
    private static partial void LogGivingUp(ILogger logger, Exception exception, Guid? messageId, string messageType, int redeliveries);
}
