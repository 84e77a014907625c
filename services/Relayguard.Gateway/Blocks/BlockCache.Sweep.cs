using System.Collections.Concurrent;

namespace Relayguard.Gateway.Blocks;

/// <summary>Dropping expired blocks from memory; callers hold the write lock.</summary>
public sealed partial class BlockCache
{
    private void SweepIfDue()
    {
        var now = _time.GetUtcNow().UtcTicks;
        if (now < _nextSweepTicks)
        {
            return;
        }

        _nextSweepTicks = now + SweepInterval.Ticks;
        bool Expired(CompactBlock block) => !block.IsActive(now);
        foreach (var (key, blocks) in _accounts)
        {
            if (HasExpired(blocks, now) && RemoveIn(_accounts, key, Expired) && key.AsSpan().Contains((byte)'/'))
            {
                _accountOnIpSubjects--;
            }
        }

        SweepTable(_addresses, now, Expired);
        SweepTable(_prefixes, now, Expired);
        foreach (var (subject, blocks) in _otherIps)
        {
            if (HasExpired(blocks, now) && RemoveIn(_otherIps, subject, Expired))
            {
                _ranges = _ranges.RemoveAll(r => r.Subject == subject);
            }
        }
    }

    private void SweepTable<TKey>(ConcurrentDictionary<TKey, SubjectBlocks> table, long now, Func<CompactBlock, bool> expired)
        where TKey : notnull
    {
        foreach (var (key, blocks) in table)
        {
            if (HasExpired(blocks, now))
            {
                RemoveIn(table, key, expired);
            }
        }
    }

    private static bool HasExpired(SubjectBlocks blocks, long now)
    {
        for (var i = 0; i < blocks.Count; i++)
        {
            if (!blocks[i].IsActive(now))
            {
                return true;
            }
        }

        return false;
    }
}
