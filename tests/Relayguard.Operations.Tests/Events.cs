using Relayguard.Contracts;

namespace Relayguard.Operations.Tests;

/// <summary>Block events as the detectors publish them.</summary>
internal static class Events
{
    public static AccountBlocked AccountBlocked(string account, string code, DateTimeOffset blockedAt, DateTimeOffset? expiresAt = null, string? onIp = null) => new()
    {
        EventId = Guid.NewGuid(),
        Account = account,
        OnIp = onIp,
        Code = code,
        Scope = BlockScopes.All,
        Reason = "too many messages to addresses that do not exist",
        Evidence = Evidence(),
        BlockedAt = blockedAt,
        ExpiresAt = expiresAt,
    };

    public static IpBlocked IpBlocked(string ip, DateTimeOffset blockedAt, DateTimeOffset? expiresAt = null) => new()
    {
        EventId = Guid.NewGuid(),
        Ip = ip,
        Code = RuleCodes.Ca2,
        Scope = BlockScopes.All,
        Reason = "several messages scored as spam",
        Evidence = Evidence(),
        BlockedAt = blockedAt,
        ExpiresAt = expiresAt,
    };

    private static BlockEvidence Evidence() => new()
    {
        Summary = "27 of 90 recipients invalid (30%), thresholds 25 and 20%",
        Counts = new Dictionary<string, double> { ["invalidRecipients"] = 27, ["recipients"] = 90 },
        Samples =
        [
            new EvidenceSample { Value = "nobody@example.net", Detail = "550 5.1.1 User unknown" },
            new EvidenceSample { Value = "gone@example.org", Detail = "550 5.1.1 No such mailbox" },
        ],
        TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
    };
}
