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

    public void Record(string kind, string subject, string code)
    {
        if (Activity.Current is { } current)
        {
            _traces[(kind, subject, code)] = current.Context;
        }
    }

    public ActivityContext? Find(string kind, string subject, string code) =>
        _traces.TryGetValue((kind, subject, code), out var context) ? context : null;
}
