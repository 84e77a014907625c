using MassTransit;
using Microsoft.Extensions.Logging;
using Relayguard.Operations.Blocks;

namespace Relayguard.Operations;

/// <summary>Publishes the events of operators' changes while the change's transaction is still open.</summary>
internal static class EventPublishing
{
    // The write lock is held while the event is published, so a publish to a broker that does not respond is cancelled after this time.
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Publishes with the event id as the bus message id, so consumers can drop a redelivery. A failure is logged and
    /// raised as <see cref="EventPublishException"/>, and the caller then leaves its transaction uncommitted.
    /// </summary>
    public static async Task PublishAsync<T>(
        IPublishEndpoint publishEndpoint,
        T message,
        Guid eventId,
        ILogger logger,
        string kind,
        string subject,
        string operatorName,
        CancellationToken cancellationToken)
        where T : class
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PublishTimeout);
        try
        {
            await publishEndpoint.Publish(message, context => context.MessageId = eventId, timeout.Token);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            BlocksLog.PublishFailed(logger, exception, typeof(T).Name, eventId, kind, subject, operatorName);
            throw new EventPublishException($"Could not publish {typeof(T).Name}; the change was rolled back.", exception);
        }
    }
}
