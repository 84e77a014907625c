using System.Diagnostics;
using System.Globalization;
using OpenTelemetry;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// Appends one line per finished span (trace id, span id, parent span id, name, tab-separated) to the file
/// named by <c>Telemetry:SpanFile</c>: a way to follow a decision across processes without a collector,
/// used by the distributed tests. Off unless the setting is given.
/// </summary>
public sealed class SpanFileExporter(string path) : BaseExporter<Activity>
{
    private readonly object _gate = new();

    public override ExportResult Export(in Batch<Activity> batch)
    {
        lock (_gate)
        {
            using var writer = new StreamWriter(path, append: true);
            foreach (var activity in batch)
            {
                writer.WriteLine(string.Join(
                    '\t',
                    activity.TraceId.ToHexString(),
                    activity.SpanId.ToHexString(),
                    activity.ParentSpanId.ToHexString(),
                    activity.OperationName,
                    activity.Duration.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)));
            }
        }

        return ExportResult.Success;
    }
}
