namespace Relayguard.Gateway.Identity;

/// <summary>When an account is flagged for logging in from many networks (configuration section <c>Auth:LoginNetworks</c>).</summary>
public sealed class LoginNetworksOptions
{
    /// <summary>Distinct networks (IPv4 /24, IPv6 /48) with a successful login within <see cref="Window"/> that flag the account; 0 turns the flag off. Default 5.</summary>
    public int Count { get; set; } = 5;

    /// <summary>The sliding window over successful logins. Default 1 hour.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);
}
