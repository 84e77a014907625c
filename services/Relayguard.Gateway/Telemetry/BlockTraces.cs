using System.Collections.Concurrent;
using System.Diagnostics;

namespace Relayguard.Gateway.Telemetry;

/// <summary>
/// The trace of the decision behind each block this gateway holds, so that a refusal at MAIL FROM can link
/// to the trace that leads from the offending messages to the block. Kept in memory only: after a restart,
/// refusals carry no link.
/// </summary>
public sealed class BlockTraces
{
    private readonly ConcurrentDictionary<(string Kind, string Subject, string Code), ActivityContext> _traces = new();

    /// <summary>
    /// Records the current trace for the block and returns the one it replaced. A consumer records before it puts
    /// the block in the cache, so the first refusal the block causes already finds the trace.
    /// </summary>
    public ActivityContext? Record(string kind, string subject, string code)
    {
        var key = (kind, subject, code);
        var previous = Find(kind, subject, code);
        if (Activity.Current is { } current)
        {
            _traces[key] = current.Context;
        }

        return previous;
    }

    /// <summary>Puts back what <see cref="Record"/> replaced, for a block event that the cache did not apply.</summary>
    public void Restore(string kind, string subject, string code, ActivityContext? previous)
    {
        if (previous is { } context)
        {
            _traces[(kind, subject, code)] = context;
        }
        else
        {
            _traces.TryRemove((kind, subject, code), out _);
        }
    }

    public ActivityContext? Find(string kind, string subject, string code) =>
        _traces.TryGetValue((kind, subject, code), out var context) ? context : null;
}
