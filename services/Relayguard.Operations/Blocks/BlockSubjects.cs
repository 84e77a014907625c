using System.Net;
using System.Net.Sockets;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Blocks;

/// <summary>
/// Builds and parses block subjects: <c>alice</c>, <c>alice/100.64.0.7</c> for an account on one address,
/// <c>203.0.113.5</c>, <c>2001:db8::/64</c>. IP parts are normalised with <see cref="IpKeys"/>, so
/// <c>::ffff:203.0.113.5</c> and <c>203.0.113.5</c> name the same subject.
/// </summary>
internal static class BlockSubjects
{
    private const int MaxAccountLength = 320;

    public static string ForAccount(string account, string? onIp) =>
        onIp is null ? AccountNames.Canonical(account) : $"{AccountNames.Canonical(account)}/{NormalizeIp(onIp)}";

    /// <summary>Splits <c>alice/100.64.0.7</c> into the account and the address. A plain account gets a null address.</summary>
    public static (string Account, string? OnIp) SplitAccount(string subject)
    {
        var slash = subject.LastIndexOf('/');
        return slash < 0 ? (subject, null) : (subject[..slash], subject[(slash + 1)..]);
    }

    /// <summary>
    /// Returns <c>erin/</c>, the prefix of the subjects of account <c>erin</c> on single addresses, when
    /// <paramref name="subject"/> is a plain account name; otherwise null.
    /// </summary>
    public static string? PerAddressPrefix(string? kind, string? subject) =>
        kind == BlockKinds.Account && subject is not null && !subject.Contains('/', StringComparison.Ordinal) ? subject + "/" : null;

    /// <summary>Normalises an address or prefix from an event, keeping any other text as it is.</summary>
    public static string NormalizeIp(string ip) =>
        IpKeys.TryNormalizeSubject(ip.Trim(), out var subject) ? subject : ip;

    /// <summary>
    /// Parses a subject an operator typed to look up or lift a block. A single IPv6 address becomes its /64
    /// prefix, because that is the key IPv6 clients are blocked by.
    /// </summary>
    public static bool TryParse(string kind, string text, out string subject, out string error)
    {
        text = text.Trim();
        if (kind == BlockKinds.Account)
        {
            return TryParseAccount(text, out subject, out error);
        }

        subject = text;
        error = "";
        if (!IpKeys.TryNormalizeSubject(text, out var normalized))
        {
            error = $"'{text}' is not an IP address or CIDR prefix. Use an address or prefix such as 203.0.113.5 or 2001:db8::/64.";
            return false;
        }

        subject = IPAddress.TryParse(normalized, out var address) ? IpKeys.BlockKey(address) : normalized;
        return true;
    }

    /// <summary>
    /// Parses the subject of a manual block. IP subjects must be what the gateway matches clients by: a single
    /// IPv4 address or an IPv6 /64 prefix.
    /// </summary>
    public static bool TryParseForBlock(string kind, string text, out string subject, out string error)
    {
        text = text.Trim();
        if (kind == BlockKinds.Account)
        {
            return TryParseAccount(text, out subject, out error);
        }

        subject = text;
        error = "";
        if (!IpKeys.TryNormalizeSubject(text, out var normalized))
        {
            error = $"'{text}' is not an IP address or IPv6 prefix. Use an IPv4 address such as 203.0.113.5 or an IPv6 /64 prefix such as 2001:db8::/64.";
            return false;
        }

        if (IPAddress.TryParse(normalized, out var address))
        {
            if (address.AddressFamily == AddressFamily.InterNetwork)
            {
                subject = normalized;
                return true;
            }

            error = $"'{text}' is a single IPv6 address, but IPv6 clients are blocked by their /64 prefix. Use {IpKeys.BlockKey(address)}.";
            return false;
        }

        var network = IpNetwork.Parse(normalized);
        if (network.Prefix.AddressFamily == AddressFamily.InterNetworkV6 && network.PrefixLength == IpKeys.Ipv6PrefixLength)
        {
            subject = normalized;
            return true;
        }

        // NOTE: this mirrors the block keys of IpKeys.BlockKey. If the gateway learns to match whole ranges,
        // wider prefixes can be allowed here.
        error = $"'{text}' is a range. Only a single IPv4 address or an IPv6 /64 prefix can be blocked, because the gateway matches clients by those keys.";
        return false;
    }

    private static bool TryParseAccount(string text, out string subject, out string error)
    {
        error = "";
        var (account, onIp) = SplitAccount(text);
        account = AccountNames.Canonical(account);
        subject = onIp is null ? account : $"{account}/{onIp}";
        if (account.Length == 0)
        {
            error = "Missing account name. Use an account such as alice, or an account on an address such as alice/100.64.0.7.";
            return false;
        }

        if (account.Length > MaxAccountLength || account.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            error = $"Invalid account name '{account}': use at most {MaxAccountLength} characters, without spaces or control characters.";
            return false;
        }

        if (onIp is null)
        {
            return true;
        }

        if (!IPAddress.TryParse(onIp, out var address))
        {
            error = $"'{text}' is not ACCOUNT/IP: the part after the last '/' must be an IP address, for example alice/100.64.0.7.";
            return false;
        }

        subject = $"{account}/{IpKeys.AddressText(address)}";
        return true;
    }
}
