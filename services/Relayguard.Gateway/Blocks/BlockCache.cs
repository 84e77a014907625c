using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Blocks;

/// <summary>
/// The active blocks this gateway enforces at MAIL FROM, held in memory for a lookup per command and
/// mirrored in a local snapshot, so a restart forgets none even while the operations service is down.
/// </summary>
public sealed class BlockCache
{
    private static readonly string[] AccountPrecedence = [RuleCodes.Ca1, RuleCodes.Op1, RuleCodes.Ca2, RuleCodes.Bo1, RuleCodes.Rl1];

    private readonly ConcurrentDictionary<string, ImmutableArray<BlockEntry>> _entries = new(StringComparer.Ordinal);
    private readonly BlockSnapshotStore _snapshot;
    private readonly TimeProvider _time;

    // Manual blocks on ranges other than an address or an IPv6 /64 are checked one by one; there are few.
    private ImmutableArray<(IpNetwork Network, string Subject)> _ranges = [];

    public BlockCache(BlockSnapshotStore snapshot, TimeProvider time)
    {
        _snapshot = snapshot;
        _time = time;
        foreach (var entry in snapshot.Load())
        {
            Put(entry);
        }
    }

    public int Count => _entries.Values.Sum(list => list.Length);

    public void Apply(BlockEntry entry)
    {
        _snapshot.Save(entry);
        Put(entry);
    }

    /// <summary>Removes the named codes (all codes when empty) from a subject.</summary>
    public void Lift(string kind, string subject, IReadOnlyCollection<string> codes)
    {
        _snapshot.Delete(kind, subject, codes);
        var key = Key(kind, subject);
        _entries.AddOrUpdate(
            key,
            _ => [],
            (_, list) => codes.Count == 0 ? [] : list.RemoveAll(e => codes.Contains(e.Code)));
        if (_entries.TryGetValue(key, out var left) && left.IsEmpty)
        {
            _entries.TryRemove(key, out _);
            if (kind == BlockKinds.Ip)
            {
                ImmutableInterlocked.Update(ref _ranges, ranges => ranges.RemoveAll(r => r.Subject == subject));
            }
        }
    }

    /// <summary>
    /// Finds the block that refuses this MAIL FROM, if any: the account's own blocks first, then the account
    /// on this address, then the address or its prefix; null-sender blocks only for the null sender.
    /// </summary>
    public BlockEntry? Find(string? account, IPAddress client, bool nullSender)
    {
        var now = _time.GetUtcNow();
        var address = IpKeys.AddressText(client);
        if (account is not null)
        {
            var found = Pick(Key(BlockKinds.Account, account), nullSender, now)
                ?? Pick(Key(BlockKinds.Account, BlockKinds.AccountOnIp(account, address)), nullSender, now);
            if (found is not null)
            {
                return found;
            }
        }

        var blockKey = IpKeys.BlockKey(client);
        var ipFound = Pick(Key(BlockKinds.Ip, address), nullSender, now);
        if (ipFound is null && blockKey != address)
        {
            ipFound = Pick(Key(BlockKinds.Ip, blockKey), nullSender, now);
        }

        if (ipFound is null)
        {
            foreach (var (network, subject) in _ranges)
            {
                if (network.Contains(client))
                {
                    ipFound = Pick(Key(BlockKinds.Ip, subject), nullSender, now);
                    if (ipFound is not null)
                    {
                        break;
                    }
                }
            }
        }

        return ipFound;
    }

    public IReadOnlyList<BlockEntry> Active()
    {
        var now = _time.GetUtcNow();
        return _entries.Values.SelectMany(list => list).Where(e => e.IsActive(now)).ToList();
    }

    private BlockEntry? Pick(string key, bool nullSender, DateTimeOffset now)
    {
        if (!_entries.TryGetValue(key, out var list))
        {
            return null;
        }

        BlockEntry? best = null;
        foreach (var entry in list)
        {
            if (!entry.IsActive(now) || (entry.Scope == BlockScopes.NullSender && !nullSender))
            {
                continue;
            }

            if (best is null || Array.IndexOf(AccountPrecedence, entry.Code) < Array.IndexOf(AccountPrecedence, best.Code))
            {
                best = entry;
            }
        }

        return best;
    }

    private void Put(BlockEntry entry)
    {
        _entries.AddOrUpdate(
            Key(entry.Kind, entry.Subject),
            _ => [entry],
            (_, list) => list.RemoveAll(e => e.Code == entry.Code && e.Scope == entry.Scope).Add(entry));
        if (entry.Kind == BlockKinds.Ip && entry.Subject.Contains('/', StringComparison.Ordinal) && IpNetwork.TryParse(entry.Subject, out var network)
            && !(network!.Prefix.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && network.PrefixLength == IpKeys.Ipv6PrefixLength))
        {
            ImmutableInterlocked.Update(ref _ranges, ranges => ranges.Any(r => r.Subject == entry.Subject) ? ranges : ranges.Add((network, entry.Subject)));
        }
    }

    private static string Key(string kind, string subject) => $"{kind}:{subject}";
}
