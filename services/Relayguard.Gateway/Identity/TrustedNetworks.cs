using System.Net;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Identity;

/// <summary>The ranges that may send without AUTH, each optionally counted under an account.</summary>
public sealed class TrustedNetworks
{
    private readonly IReadOnlyList<(IpNetwork Network, string? Account)> _entries;

    public TrustedNetworks(IEnumerable<string> entries)
    {
        var parsed = new List<(IpNetwork, string?)>();
        foreach (var entry in entries)
        {
            if (!TryParseEntry(entry, out var network, out var account, out var error))
            {
                throw new FormatException(error);
            }

            parsed.Add((network!, account));
        }

        _entries = parsed;
    }

    public int Count => _entries.Count;

    /// <summary>Parses <c>CIDR</c> or <c>CIDR=ACCOUNT</c>.</summary>
    public static bool TryParseEntry(string entry, out IpNetwork? network, out string? account, out string error)
    {
        network = null;
        account = null;
        error = string.Empty;
        var equals = entry.IndexOf('=', StringComparison.Ordinal);
        var cidr = equals < 0 ? entry : entry[..equals];
        if (equals >= 0)
        {
            account = AccountNames.Canonical(entry[(equals + 1)..]);
            if (account.Length == 0)
            {
                error = $"Invalid trusted range '{entry}': the account after '=' is missing. Use CIDR=ACCOUNT, for example 192.0.2.0/24=webshop, or the range alone for mail that counts under no account.";
                return false;
            }
        }

        if (!IpNetwork.TryParse(cidr.Trim(), out network))
        {
            error = $"Invalid trusted range '{entry}': use CIDR or CIDR=ACCOUNT, for example 192.0.2.0/24=webshop.";
            return false;
        }

        return true;
    }

    /// <summary>Returns whether the address is trusted, and the account its mail counts under.</summary>
    public bool Match(IPAddress address, out string? account)
    {
        foreach (var (network, entryAccount) in _entries)
        {
            if (network.Contains(address))
            {
                account = entryAccount;
                return true;
            }
        }

        account = null;
        return false;
    }
}
