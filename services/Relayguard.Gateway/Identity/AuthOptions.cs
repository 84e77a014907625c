namespace Relayguard.Gateway.Identity;

/// <summary>Where passwords are checked, and how failed and unusual logins are handled (configuration section <c>Auth</c>).</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>
    /// <c>local</c> (the account store in the data folder, the default), <c>dovecot:HOST:PORT</c> (a Dovecot auth
    /// listener over TCP) or <c>dovecot:/PATH</c> (its unix socket).
    /// </summary>
    public string Provider { get; set; } = "local";

    /// <summary>Maximum time for one password check by Dovecot, connection included. Default 10 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public AuthThrottleOptions Throttle { get; set; } = new();

    public LoginNetworksOptions LoginNetworks { get; set; } = new();
}
