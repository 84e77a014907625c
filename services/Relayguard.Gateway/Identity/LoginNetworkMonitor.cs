using System.Net;
using System.Net.Sockets;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Identity;

/// <summary>
/// Remembers the networks (IPv4 /24, IPv6 /48) each account logged in from, and flags an account once it reaches
/// <see cref="LoginNetworksOptions.Count"/> networks within <see cref="LoginNetworksOptions.Window"/>. A flag
/// repeats at most once per window. State is in memory and per gateway instance.
/// </summary>
public sealed class LoginNetworkMonitor
{
    // An account seen from more networks than this keeps only the most recent ones.
    private const int MaxNetworksPerAccount = 64;

    private readonly LoginNetworksOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, AccountState> _accounts = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();

    public LoginNetworkMonitor(LoginNetworksOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
    }

    /// <summary>The network a login counts under: the IPv4 /24 or the IPv6 /48, in CIDR form.</summary>
    public static string NetworkOf(IPAddress address)
    {
        address = IpKeys.Normalize(address);
        var prefix = address.AddressFamily == AddressFamily.InterNetwork ? 24 : 48;
        return $"{IpKeys.Mask(address, prefix)}/{prefix}";
    }

    /// <summary>Records a successful login. Returns the networks seen within the window when this login flags the account, otherwise null.</summary>
    public IReadOnlyList<string>? RecordLogin(string account, IPAddress address)
    {
        if (_options.Count <= 0)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        var network = NetworkOf(address);
        lock (_gate)
        {
            if (!_accounts.TryGetValue(account, out var state))
            {
                state = new AccountState();
                _accounts[account] = state;
            }

            foreach (var stale in state.LastSeen.Where(entry => entry.Value <= now - _options.Window).Select(entry => entry.Key).ToList())
            {
                state.LastSeen.Remove(stale);
            }

            state.LastSeen[network] = now;
            if (state.LastSeen.Count > MaxNetworksPerAccount)
            {
                state.LastSeen.Remove(state.LastSeen.MinBy(entry => entry.Value).Key);
            }

            var recentlyFlagged = state.FlaggedAt is { } flagged && flagged > now - _options.Window;
            if (state.LastSeen.Count < _options.Count || recentlyFlagged)
            {
                return null;
            }

            state.FlaggedAt = now;
            return state.LastSeen.OrderBy(entry => entry.Value).Select(entry => entry.Key).ToList();
        }
    }

    private sealed class AccountState
    {
        public Dictionary<string, DateTimeOffset> LastSeen { get; } = new(StringComparer.Ordinal);

        public DateTimeOffset? FlaggedAt { get; set; }
    }
}
