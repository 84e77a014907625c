namespace Relayguard.Gateway.Identity;

public enum PasswordResult
{
    /// <summary>The password matches; the check names the account.</summary>
    Valid,

    /// <summary>Unknown user or wrong password. Counts toward the AUTH throttle.</summary>
    Invalid,

    /// <summary>The account source could not answer (Dovecot down or reporting a temporary failure). Does not count.</summary>
    Unavailable,
}
