using System.Collections.Concurrent;
using System.Reflection;
using MassTransit;

namespace Relayguard.Stores.Tests;

/// <summary>
/// An <see cref="IPublishEndpoint"/> that records each published message instead of sending it, or, with
/// <see cref="Failing"/>, fails every publish as a bus that is down does.
/// </summary>
public class RecordingPublishEndpoint : DispatchProxy
{
    public ConcurrentQueue<object> Published { get; } = new();

    public bool Failing { get; set; }

    public IPublishEndpoint Endpoint => (IPublishEndpoint)(object)this;

    public static RecordingPublishEndpoint Create() => (RecordingPublishEndpoint)(object)DispatchProxy.Create<IPublishEndpoint, RecordingPublishEndpoint>();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        if (targetMethod?.Name != nameof(IPublishEndpoint.Publish) || args is not [{ } message, ..])
        {
            throw new NotSupportedException($"The recording endpoint does not support {targetMethod?.Name}.");
        }

        if (Failing)
        {
            return Task.FromException(new InvalidOperationException("The bus is down."));
        }

        Published.Enqueue(message);
        return Task.CompletedTask;
    }
}
