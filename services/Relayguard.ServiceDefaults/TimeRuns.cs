namespace Relayguard.ServiceDefaults;

/// <summary>Sliding-window counting over sorted event times, shared by the rules that count N events within a window.</summary>
public static class TimeRuns
{
    /// <summary>Returns the index of the first run of <paramref name="count"/> times that spans less than <paramref name="window"/>, or -1.</summary>
    public static int FindRun(IReadOnlyList<DateTimeOffset> sortedTimes, int count, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(sortedTimes);
        for (var first = 0; first + count - 1 < sortedTimes.Count; first++)
        {
            if (sortedTimes[first + count - 1] - sortedTimes[first] < window)
            {
                return first;
            }
        }

        return -1;
    }
}
