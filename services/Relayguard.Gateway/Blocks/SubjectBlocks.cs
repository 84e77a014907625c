namespace Relayguard.Gateway.Blocks;

/// <summary>
/// The blocks on one subject, in the order they were applied. Nearly every subject has one block, so the first is
/// held inline and only further ones take an array. Immutable: every change returns a new value, which lets
/// readers use the dictionary without a lock.
/// </summary>
internal readonly struct SubjectBlocks
{
    private readonly CompactBlock _first;
    private readonly CompactBlock[]? _others;

    private SubjectBlocks(CompactBlock first, CompactBlock[]? others)
    {
        _first = first;
        _others = others;
    }

    public int Count => 1 + (_others?.Length ?? 0);

    public CompactBlock this[int index] => index == 0 ? _first : _others![index - 1];

    public static SubjectBlocks Of(CompactBlock block) => new(block, null);

    /// <summary>Returns these blocks with <paramref name="block"/> replacing the one of the same code and scope, appended last.</summary>
    public SubjectBlocks With(CompactBlock block, out CompactBlock? replaced)
    {
        replaced = null;
        var kept = new List<CompactBlock>(Count + 1);
        for (var i = 0; i < Count; i++)
        {
            var existing = this[i];
            if (existing.Code == block.Code && existing.Scope == block.Scope)
            {
                replaced = existing;
                continue;
            }

            kept.Add(existing);
        }

        kept.Add(block);
        return FromList(kept);
    }

    /// <summary>Returns the blocks that <paramref name="remove"/> rejects, or null when none is left.</summary>
    public SubjectBlocks? Without(Func<CompactBlock, bool> remove, List<CompactBlock> removed)
    {
        var kept = new List<CompactBlock>(Count);
        for (var i = 0; i < Count; i++)
        {
            var existing = this[i];
            if (remove(existing))
            {
                removed.Add(existing);
            }
            else
            {
                kept.Add(existing);
            }
        }

        return kept.Count == 0 ? null : FromList(kept);
    }

    /// <summary>
    /// Returns the index of the block that refuses this MAIL FROM, or -1: active, of scope <c>all</c> unless the
    /// sender is null, and of the lowest rank, the earlier block winning a tie.
    /// </summary>
    public int Pick(long nowTicks, bool nullSender, BlockNames names)
    {
        var best = -1;
        var bestRank = int.MaxValue;
        for (var i = 0; i < Count; i++)
        {
            var block = this[i];
            if (!block.IsActive(nowTicks) || (!nullSender && names.IsNullSenderScope(block.Scope)))
            {
                continue;
            }

            var rank = names.Rank(block.Code);
            if (best < 0 || rank < bestRank)
            {
                best = i;
                bestRank = rank;
            }
        }

        return best;
    }

    private static SubjectBlocks FromList(List<CompactBlock> blocks) =>
        new(blocks[0], blocks.Count == 1 ? null : blocks.GetRange(1, blocks.Count - 1).ToArray());
}
