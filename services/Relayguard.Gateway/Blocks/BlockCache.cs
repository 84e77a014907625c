using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Text;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Blocks;

/// <summary>
/// The active blocks this gateway enforces at MAIL FROM, held in memory for a lookup per command and
/// mirrored in a local snapshot, so a restart forgets none even while the operations service is down.
/// </summary>
/// <remarks>
/// Built for a million blocks: accounts are keyed by their UTF-8 bytes, addresses and IPv6 /64 prefixes by their
/// bits (<see cref="IpSubjects"/>), each subject's blocks are one small struct (<see cref="SubjectBlocks"/>), and codes,
/// scopes and reasons are shared (<see cref="BlockNames"/>). A lookup takes no lock and allocates only when it finds a
/// block. Writers (block events, lifts) take one lock. Expired blocks are dropped from memory at most a minute after
/// the next write, and from the snapshot at the next start.
/// </remarks>
public sealed partial class BlockCache
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    /// <summary>Account subjects longer than this many UTF-8 bytes are looked up through a heap buffer.</summary>
    private const int StackKeyLength = 512;

    private readonly ConcurrentDictionary<byte[], SubjectBlocks> _accounts = new(Utf8KeyComparer.Instance);
    private readonly ConcurrentDictionary<byte[], SubjectBlocks>.AlternateLookup<ReadOnlySpan<byte>> _accountLookup;
    private readonly ConcurrentDictionary<UInt128, SubjectBlocks> _addresses = new();
    private readonly ConcurrentDictionary<ulong, SubjectBlocks> _prefixes = new();

    // IP subjects without a binary key: CIDR ranges, and text that is no canonical address or IPv6 /64 prefix.
    private readonly ConcurrentDictionary<string, SubjectBlocks> _otherIps = new(StringComparer.Ordinal);
    private readonly BlockNames _names = new();
    private readonly Lock _writeLock = new();
    private readonly BlockSnapshotStore _snapshot;
    private readonly TimeProvider _time;

    // Manual blocks on ranges other than an address or an IPv6 /64 are checked one by one; there are few.
    private ImmutableArray<(IpNetwork Network, string Subject)> _ranges = [];
    private int _count;
    private int _accountOnIpSubjects;
    private long _nextSweepTicks;

    public BlockCache(BlockSnapshotStore snapshot, TimeProvider time)
    {
        _snapshot = snapshot;
        _time = time;
        _accountLookup = _accounts.GetAlternateLookup<ReadOnlySpan<byte>>();
        _nextSweepTicks = time.GetUtcNow().UtcTicks + SweepInterval.Ticks;
        lock (_writeLock)
        {
            foreach (var entry in snapshot.Load())
            {
                Put(WithCanonicalAccount(entry));
            }
        }
    }

    /// <summary>Blocks held in memory, including expired ones not yet swept.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// Enforces a block and saves it. Returns false, and changes nothing, when a lift recorded for its subject and
    /// code came at or after the block was made: a late copy of a block event that was lifted since.
    /// </summary>
    public bool Apply(BlockEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Kind is not (BlockKinds.Account or BlockKinds.Ip))
        {
            throw new ArgumentException($"Unknown block kind '{entry.Kind}': use '{BlockKinds.Account}' or '{BlockKinds.Ip}'.", nameof(entry));
        }

        entry = WithCanonicalAccount(entry);
        lock (_writeLock)
        {
            if (_snapshot.IsLiftedSince(entry))
            {
                return false;
            }

            // Enforced before it is saved, so the snapshot write is not part of the decision latency. If the save
            // fails, the block event is not acknowledged and comes again.
            Put(entry);
            _snapshot.Save(entry);
            SweepIfDue();
            return true;
        }
    }

    /// <summary>
    /// Removes the named codes (all codes when empty) from a subject. With <paramref name="liftedAt"/>, also remembers
    /// the lift for <see cref="BlockSnapshotStore.LiftRetention"/>, so a copy of a block event made before it that
    /// arrives later is ignored.
    /// </summary>
    public void Lift(string kind, string subject, IReadOnlyCollection<string> codes, DateTimeOffset? liftedAt = null)
    {
        if (kind == BlockKinds.Account)
        {
            subject = AccountNames.Canonical(subject);
        }

        lock (_writeLock)
        {
            _snapshot.Delete(kind, subject, codes, liftedAt);
            Remove(kind, subject, block => codes.Count == 0 || codes.Contains(_names.Name(block.Code)));
        }
    }

    /// <summary>Spells an account subject as AUTH does, so a block from an older version or typed in capitals still matches.</summary>
    private static BlockEntry WithCanonicalAccount(BlockEntry entry) =>
        entry.Kind == BlockKinds.Account ? entry with { Subject = AccountNames.Canonical(entry.Subject) } : entry;

    /// <summary>
    /// Finds the block that refuses this MAIL FROM, if any: the account's own blocks first, then the account
    /// on this address, then the address or its prefix; null-sender blocks only for the null sender.
    /// </summary>
    public BlockEntry? Find(string? account, IPAddress client, bool nullSender)
    {
        ArgumentNullException.ThrowIfNull(client);
        var now = _time.GetUtcNow().UtcTicks;
        if (account is not null)
        {
            var found = FindAccount(AccountNames.Canonical(account), client, nullSender, now);
            if (found is not null)
            {
                return found;
            }
        }

        var address = IpSubjects.AddressKey(client);
        if (_addresses.TryGetValue(address, out var blocks) && blocks.Pick(now, nullSender, _names) is var i and >= 0)
        {
            return ToEntry(BlockKinds.Ip, IpSubjects.AddressText(address), blocks[i]);
        }

        var prefix = (ulong)(address >> 64);
        if (!IpSubjects.IsIpv4(address) && _prefixes.TryGetValue(prefix, out blocks) && blocks.Pick(now, nullSender, _names) is var j and >= 0)
        {
            return ToEntry(BlockKinds.Ip, IpSubjects.PrefixText(prefix), blocks[j]);
        }

        foreach (var (network, subject) in _ranges)
        {
            if (network.Contains(client) && _otherIps.TryGetValue(subject, out blocks) && blocks.Pick(now, nullSender, _names) is var k and >= 0)
            {
                return ToEntry(BlockKinds.Ip, subject, blocks[k]);
            }
        }

        return null;
    }

    public IReadOnlyList<BlockEntry> Active()
    {
        var now = _time.GetUtcNow().UtcTicks;
        var active = new List<BlockEntry>();
        foreach (var (key, blocks) in _accounts)
        {
            AddActive(active, BlockKinds.Account, Encoding.UTF8.GetString(key), blocks, now);
        }

        foreach (var (key, blocks) in _addresses)
        {
            AddActive(active, BlockKinds.Ip, IpSubjects.AddressText(key), blocks, now);
        }

        foreach (var (key, blocks) in _prefixes)
        {
            AddActive(active, BlockKinds.Ip, IpSubjects.PrefixText(key), blocks, now);
        }

        foreach (var (subject, blocks) in _otherIps)
        {
            AddActive(active, BlockKinds.Ip, subject, blocks, now);
        }

        return active;
    }

    private BlockEntry? FindAccount(string account, IPAddress client, bool nullSender, long now)
    {
        // The longest normalised address text is an IPv6 address with a scope id, well under 64 bytes.
        var needed = Encoding.UTF8.GetMaxByteCount(account.Length) + 1 + 64;
        var buffer = needed <= StackKeyLength ? stackalloc byte[StackKeyLength] : new byte[needed];
        var length = Encoding.UTF8.GetBytes(account, buffer);
        if (_accountLookup.TryGetValue(buffer[..length], out var blocks) && blocks.Pick(now, nullSender, _names) is var i and >= 0)
        {
            return ToEntry(BlockKinds.Account, account, blocks[i]);
        }

        if (Volatile.Read(ref _accountOnIpSubjects) == 0)
        {
            return null;
        }

        buffer[length++] = (byte)'/';
        length += IpSubjects.WriteAddressUtf8(client, buffer[length..]);
        if (_accountLookup.TryGetValue(buffer[..length], out blocks) && blocks.Pick(now, nullSender, _names) is var j and >= 0)
        {
            return ToEntry(BlockKinds.Account, Encoding.UTF8.GetString(buffer[..length]), blocks[j]);
        }

        return null;
    }

    private void AddActive(List<BlockEntry> active, string kind, string subject, SubjectBlocks blocks, long now)
    {
        for (var i = 0; i < blocks.Count; i++)
        {
            if (blocks[i].IsActive(now))
            {
                active.Add(ToEntry(kind, subject, blocks[i]));
            }
        }
    }

    private BlockEntry ToEntry(string kind, string subject, CompactBlock block) => new(
        kind,
        subject,
        _names.Name(block.Code),
        _names.Name(block.Scope),
        block.Reason,
        new DateTimeOffset(block.BlockedAtTicks, TimeSpan.Zero),
        block.ExpiresAtTicks == CompactBlock.NoExpiry ? null : new DateTimeOffset(block.ExpiresAtTicks, TimeSpan.Zero),
        block.EventId);

    private static bool IsIpv6Prefix(IpNetwork network) =>
        network.Prefix.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && network.PrefixLength == IpKeys.Ipv6PrefixLength;
}
