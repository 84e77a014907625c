using Relayguard.Contracts;

namespace Relayguard.Gateway.Blocks;

/// <summary>
/// The strings that many blocks share. Codes and scopes get one-byte ids (a deployment has a handful of each); reasons
/// are pooled, so a million blocks with the detectors' few reason sentences hold a few strings. Writers call the
/// changing methods under the cache's write lock; readers only read ids and ranks.
/// </summary>
internal sealed class BlockNames
{
    /// <summary>The order in which a subject's blocks refuse MAIL FROM; a code not listed ranks first, as -1.</summary>
    private static readonly string[] Precedence = [RuleCodes.Ca1, RuleCodes.Op1, RuleCodes.Ca2, RuleCodes.Bo1, RuleCodes.Rl1];

    private readonly Dictionary<string, byte> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Text, int Users)> _reasons = new(StringComparer.Ordinal);

    // Replaced as a whole when a name is added, so a reader never sees a half-written table.
    private string[] _names = [];
    private int[] _ranks = [];
    private int _nullSenderId = -1;

    public string Name(byte id) => Volatile.Read(ref _names)[id];

    public int Rank(byte id) => Volatile.Read(ref _ranks)[id];

    public bool IsNullSenderScope(byte id) => id == _nullSenderId;

    /// <summary>Returns the id of a code or scope, adding it when new. Call under the write lock.</summary>
    public byte Id(string name)
    {
        if (_ids.TryGetValue(name, out var id))
        {
            return id;
        }

        if (_names.Length > byte.MaxValue)
        {
            throw new InvalidOperationException(
                $"The block cache holds 256 distinct codes and scopes and cannot add '{name}': block events carry an unexpected code or scope.");
        }

        id = (byte)_names.Length;
        _ids[name] = id;
        Volatile.Write(ref _ranks, [.. _ranks, Array.IndexOf(Precedence, name)]);
        Volatile.Write(ref _names, [.. _names, name]);
        if (name == BlockScopes.NullSender)
        {
            _nullSenderId = id;
        }

        return id;
    }

    /// <summary>Returns the pooled copy of a reason and counts one more block using it. Call under the write lock.</summary>
    public string AddReason(string reason)
    {
        if (_reasons.TryGetValue(reason, out var pooled))
        {
            _reasons[reason] = (pooled.Text, pooled.Users + 1);
            return pooled.Text;
        }

        _reasons[reason] = (reason, 1);
        return reason;
    }

    /// <summary>Counts one block fewer using a reason, and forgets the reason when none is left. Call under the write lock.</summary>
    public void ReleaseReason(string reason)
    {
        if (!_reasons.TryGetValue(reason, out var pooled))
        {
            return;
        }

        if (pooled.Users <= 1)
        {
            _reasons.Remove(reason);
        }
        else
        {
            _reasons[reason] = (pooled.Text, pooled.Users - 1);
        }
    }
}
