namespace Relayguard.Gateway.Identity;

/// <summary>The outcome of a password check.</summary>
public sealed record PasswordCheck(PasswordResult Result, string? Account = null, string? Error = null)
{
    /// <summary>Wrong password or unknown user, with no word on which: logs then show only a fingerprint of the name.</summary>
    public static PasswordCheck Invalid { get; } = new(PasswordResult.Invalid);

    /// <summary>Wrong password for an account that exists, so logs may name it.</summary>
    public static PasswordCheck WrongPassword { get; } = new(PasswordResult.Invalid) { UserKnown = true };

    /// <summary>True when the user name belongs to an account.</summary>
    public bool UserKnown { get; init; }

    public static PasswordCheck Valid(string account) => new(PasswordResult.Valid, account);

    public static PasswordCheck Unavailable(string error) => new(PasswordResult.Unavailable, null, error);
}
