namespace Relayguard.Gateway.Identity;

/// <summary>Thresholds of the AUTH throttle (configuration section <c>Auth:Throttle</c>).</summary>
public sealed class AuthThrottleOptions
{
    /// <summary>Failed logins for one user name from one client address within <see cref="Window"/> that throttle that pair. Default 5.</summary>
    public int Failures { get; set; } = 5;

    /// <summary>Distinct user names failing from one client address within <see cref="Window"/> that throttle the whole address. Default 5.</summary>
    public int UserNames { get; set; } = 5;

    /// <summary>The sliding window over failed logins. Default 15 minutes.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long AUTH is answered with <c>454 4.7.0</c> once a throttle starts. Default 15 minutes.</summary>
    public TimeSpan BlockFor { get; set; } = TimeSpan.FromMinutes(15);
}
