namespace Relayguard.Gateway.Smtp;

/// <summary>Concurrent sessions across every listener that shares this counter, bounded by <see cref="Limit"/>.</summary>
public sealed class SessionCounter(int limit)
{
    private int _active;

    public int Limit { get; } = limit;

    public int Active => Volatile.Read(ref _active);

    /// <summary>Takes a slot, or returns false when all <see cref="Limit"/> slots are taken.</summary>
    public bool TryEnter()
    {
        while (true)
        {
            var active = Volatile.Read(ref _active);
            if (active >= Limit)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _active, active + 1, active) == active)
            {
                return true;
            }
        }
    }

    public void Exit() => Interlocked.Decrement(ref _active);
}
