using MassTransit;
using Microsoft.Extensions.Logging;
using Relayguard.Operations.Blocks;

namespace Relayguard.Operations;

/// <summary>Publishes the events of operators' changes, on SQLite while the change's transaction is still open.</summary>
internal static class EventPublishing
{
    // On SQLite the write lock is held while the event is published, so a publish to a broker that does not respond is cancelled after this time.
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Publishes with the event id as the bus message id, so consumers can drop a redelivery. A failure is logged and
    /// raised as <see cref="EventPublishException"/>. A SQLite store then leaves its transaction uncommitted, and a
    /// MongoDB store leaves the event in its outbox.
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
            await publishEndpoint.Publish(message, message.GetType(), context => context.MessageId = eventId, timeout.Token);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            BlocksLog.PublishFailed(logger, exception, message.GetType().Name, eventId, kind, subject, operatorName);
            throw new EventPublishException($"Could not publish {message.GetType().Name}.", exception);
        }
    }
}
