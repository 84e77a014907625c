using System.Collections.Concurrent;
using System.Text;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Blocks;

/// <summary>Adding and removing blocks; callers hold the write lock.</summary>
public sealed partial class BlockCache
{
    private void Put(BlockEntry entry)
    {
        var block = new CompactBlock(
            entry.ExpiresAt?.UtcTicks ?? CompactBlock.NoExpiry,
            entry.BlockedAt.UtcTicks,
            entry.EventId,
            _names.AddReason(entry.Reason),
            _names.Id(entry.Code),
            _names.Id(entry.Scope));
        if (entry.Kind == BlockKinds.Account)
        {
            if (PutIn(_accounts, Encoding.UTF8.GetBytes(entry.Subject), block) && entry.Subject.Contains('/', StringComparison.Ordinal))
            {
                _accountOnIpSubjects++;
            }
        }
        else if (IpSubjects.TryAddressKey(entry.Subject, out var address))
        {
            PutIn(_addresses, address, block);
        }
        else if (IpSubjects.TryPrefixKey(entry.Subject, out var prefix))
        {
            PutIn(_prefixes, prefix, block);
        }
        else
        {
            PutIn(_otherIps, entry.Subject, block);
            if (entry.Subject.Contains('/', StringComparison.Ordinal) && IpNetwork.TryParse(entry.Subject, out var network) && !IsIpv6Prefix(network!)
                && !_ranges.Any(r => r.Subject == entry.Subject))
            {
                _ranges = _ranges.Add((network!, entry.Subject));
            }
        }
    }

    /// <summary>Adds or replaces a block. Returns true when the subject had no blocks before.</summary>
    private bool PutIn<TKey>(ConcurrentDictionary<TKey, SubjectBlocks> table, TKey key, CompactBlock block)
        where TKey : notnull
    {
        if (!table.TryGetValue(key, out var blocks))
        {
            table[key] = SubjectBlocks.Of(block);
            _count++;
            return true;
        }

        table[key] = blocks.With(block, out var replaced);
        if (replaced is { } old)
        {
            _names.ReleaseReason(old.Reason);
        }
        else
        {
            _count++;
        }

        return false;
    }

    private void Remove(string kind, string subject, Func<CompactBlock, bool> remove)
    {
        if (kind == BlockKinds.Account)
        {
            if (RemoveIn(_accounts, Encoding.UTF8.GetBytes(subject), remove) && subject.Contains('/', StringComparison.Ordinal))
            {
                _accountOnIpSubjects--;
            }
        }
        else if (kind != BlockKinds.Ip)
        {
            return;
        }
        else if (IpSubjects.TryAddressKey(subject, out var address))
        {
            RemoveIn(_addresses, address, remove);
        }
        else if (IpSubjects.TryPrefixKey(subject, out var prefix))
        {
            RemoveIn(_prefixes, prefix, remove);
        }
        else if (RemoveIn(_otherIps, subject, remove))
        {
            _ranges = _ranges.RemoveAll(r => r.Subject == subject);
        }
    }

    /// <summary>Removes the blocks <paramref name="remove"/> selects. Returns true when the subject has none left.</summary>
    private bool RemoveIn<TKey>(ConcurrentDictionary<TKey, SubjectBlocks> table, TKey key, Func<CompactBlock, bool> remove)
        where TKey : notnull
    {
        if (!table.TryGetValue(key, out var blocks))
        {
            return false;
        }

        var removed = new List<CompactBlock>();
        var left = blocks.Without(remove, removed);
        foreach (var block in removed)
        {
            _names.ReleaseReason(block.Reason);
        }

        _count -= removed.Count;
        if (left is { } kept)
        {
            table[key] = kept;
            return false;
        }

        table.TryRemove(key, out _);
        return true;
    }
}
