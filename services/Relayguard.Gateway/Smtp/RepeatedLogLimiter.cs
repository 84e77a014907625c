using System.Collections.Concurrent;

namespace Relayguard.Gateway.Smtp;

/// <summary>
/// Lets one log line per key through per interval and counts the rest. A client that keeps repeating a refused
/// request, such as hundreds of connections over the limit, then writes one line a minute instead of one per try.
/// </summary>
public sealed class RepeatedLogLimiter(TimeSpan interval, TimeProvider time)
{
    /// <summary>Keys kept at most; past it the table starts again, which at worst lets one extra line per key through.</summary>
    private const int MaxKeys = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>
    /// Returns true when a line for <paramref name="key"/> may be written now, with the number of lines held back
    /// since the last one in <paramref name="suppressed"/>; otherwise counts this one and returns false.
    /// </summary>
    public bool TryLog(string key, out int suppressed)
    {
        var now = time.GetUtcNow();
        if (_entries.Count >= MaxKeys)
        {
            _entries.Clear();
        }

        var entry = _entries.GetOrAdd(key, _ => new Entry());
        lock (entry)
        {
            if (entry.LastLogged is { } last && now - last < interval)
            {
                entry.Suppressed++;
                suppressed = 0;
                return false;
            }

            suppressed = entry.Suppressed;
            entry.Suppressed = 0;
            entry.LastLogged = now;
            return true;
        }
    }

    private sealed class Entry
    {
        public DateTimeOffset? LastLogged { get; set; }

        public int Suppressed { get; set; }
    }
}
