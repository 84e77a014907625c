using System.Diagnostics;
using Relayguard.Gateway.Telemetry;

namespace Relayguard.Gateway.Tests.Telemetry;

public sealed class BlockTracesTests
{
    [Fact]
    public void Restore_UnappliedBlock_KeepsEarlierTrace()
    {
        var traces = new BlockTraces();
        var earlier = Record(traces);

        var previous = RecordAndReturnPrevious(traces, out _);
        traces.Restore("account", "alice", "CA1", previous);

        Assert.Equal(earlier, traces.Find("account", "alice", "CA1"));
    }

    [Fact]
    public void Restore_FirstBlockNotApplied_RemovesTrace()
    {
        var traces = new BlockTraces();

        var previous = RecordAndReturnPrevious(traces, out _);
        traces.Restore("account", "alice", "CA1", previous);

        Assert.Null(traces.Find("account", "alice", "CA1"));
    }

    private static ActivityContext Record(BlockTraces traces)
    {
        RecordAndReturnPrevious(traces, out var recorded);
        return recorded;
    }

    private static ActivityContext? RecordAndReturnPrevious(BlockTraces traces, out ActivityContext recorded)
    {
        using var activity = new Activity("block-cache.update").Start();
        recorded = activity.Context;
        return traces.Record("account", "alice", "CA1");
    }
}
