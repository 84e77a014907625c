using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Blocks;

/// <summary>Turns block events into the entries the gateway enforces, as the block consumers and the catch-up both need.</summary>
public static class BlockEventEntries
{
    public static BlockEntry From(AccountBlocked message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var subject = message.OnIp is null ? message.Account : BlockKinds.AccountOnIp(message.Account, message.OnIp);
        return new BlockEntry(BlockKinds.Account, subject, message.Code, message.Scope, message.Reason, message.BlockedAt, message.ExpiresAt, message.EventId);
    }

    public static BlockEntry From(IpBlocked message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var subject = IpKeys.TryNormalizeSubject(message.Ip, out var normalized) ? normalized : message.Ip;
        return new BlockEntry(BlockKinds.Ip, subject, message.Code, message.Scope, message.Reason, message.BlockedAt, message.ExpiresAt, message.EventId);
    }
}
