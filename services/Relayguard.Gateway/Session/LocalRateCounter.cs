using Microsoft.Extensions.Options;

namespace Relayguard.Gateway.Session;

/// <summary>
/// The messages and recipients this gateway instance relayed per RL1 subject in the last hour, counted in one-minute
/// buckets so that memory stays fixed per subject. The RL1 detector counts across every instance and publishes
/// blocks, but it learns of a message only after the outbox published it. This count refuses the next message at
/// once, without waiting for the bus. A message leaves the count 60 to 61 minutes after it was relayed, so a limit
/// lifts up to a minute later than the exact hour.
/// </summary>
public sealed class LocalRateCounter
{
    // The current minute and the 60 before it, so that a message leaves the count 60 to 61 minutes after it was relayed.
    private const int Buckets = 61;
    private static readonly TimeSpan BucketLength = TimeSpan.FromMinutes(1);

    private readonly RateLimitOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, Subject> _subjects = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();

    public LocalRateCounter(IOptions<RateLimitOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
    }

    public RateLimitOptions Options => _options;

    /// <summary>The subject's counts within the last hour.</summary>
    public (int Messages, int Recipients) Count(string subject)
    {
        var minute = CurrentMinute();
        lock (_gate)
        {
            return _subjects.TryGetValue(subject, out var counts) ? counts.Sum(minute) : (0, 0);
        }
    }

    /// <summary>Counts one relayed message with its accepted recipients.</summary>
    public void Add(string subject, int recipients)
    {
        var minute = CurrentMinute();
        lock (_gate)
        {
            if (!_subjects.TryGetValue(subject, out var counts))
            {
                PruneIdle(minute);
                counts = new Subject();
                _subjects[subject] = counts;
            }

            counts.Add(minute, recipients);
        }
    }

    /// <summary>
    /// Counts the messages this gateway relayed before it restarted, so a restart does not start the hour afresh.
    /// Each message counts for its subject unless an RL1 lift of that subject came after it; messages older than the
    /// hour are skipped.
    /// </summary>
    public void Restore(IEnumerable<RelayedMessage> relayed, IReadOnlyDictionary<string, DateTimeOffset> liftedAt)
    {
        ArgumentNullException.ThrowIfNull(relayed);
        ArgumentNullException.ThrowIfNull(liftedAt);
        var current = CurrentMinute();
        lock (_gate)
        {
            foreach (var message in relayed)
            {
                var minute = message.At.ToUnixTimeMilliseconds() / (long)BucketLength.TotalMilliseconds;
                if (minute <= current - Buckets || minute > current || (liftedAt.TryGetValue(message.Subject, out var lifted) && lifted >= message.At))
                {
                    continue;
                }

                if (!_subjects.TryGetValue(message.Subject, out var counts))
                {
                    counts = new Subject();
                    _subjects[message.Subject] = counts;
                }

                counts.Add(minute, message.Recipients);
            }
        }
    }

    /// <summary>Forgets a subject's counts, after an operator lifted its RL1 block.</summary>
    public bool Reset(string subject)
    {
        lock (_gate)
        {
            return _subjects.Remove(subject);
        }
    }

    private long CurrentMinute() => _time.GetUtcNow().ToUnixTimeMilliseconds() / (long)BucketLength.TotalMilliseconds;

    private void PruneIdle(long minute)
    {
        if (_subjects.Count < 1024)
        {
            return;
        }

        foreach (var key in _subjects.Where(entry => entry.Value.Sum(minute) == (0, 0)).Select(entry => entry.Key).ToList())
        {
            _subjects.Remove(key);
        }
    }

    /// <summary>A ring of one-minute buckets; each slot remembers which minute it holds.</summary>
    private sealed class Subject
    {
        private readonly long[] _minutes = new long[Buckets];
        private readonly int[] _messages = new int[Buckets];
        private readonly int[] _recipients = new int[Buckets];

        public void Add(long minute, int recipients)
        {
            var slot = (int)(minute % Buckets);
            if (_minutes[slot] != minute)
            {
                _minutes[slot] = minute;
                _messages[slot] = 0;
                _recipients[slot] = 0;
            }

            _messages[slot]++;
            _recipients[slot] += recipients;
        }

        public (int Messages, int Recipients) Sum(long minute)
        {
            var messages = 0;
            var recipients = 0;
            for (var slot = 0; slot < Buckets; slot++)
            {
                if (_minutes[slot] > minute - Buckets)
                {
                    messages += _messages[slot];
                    recipients += _recipients[slot];
                }
            }

            return (messages, recipients);
        }
    }
}

/// <summary>A message relayed before a restart, for <see cref="LocalRateCounter.Restore"/>: its RL1 subject, when, and to how many recipients.</summary>
public sealed record RelayedMessage(string Subject, DateTimeOffset At, int Recipients);
