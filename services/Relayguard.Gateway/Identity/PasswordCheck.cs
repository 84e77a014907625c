namespace Relayguard.Gateway.Identity;

/// <summary>The outcome of a password check.</summary>
public sealed record PasswordCheck(PasswordResult Result, string? Account = null, string? Error = null)
{
    public static PasswordCheck Invalid { get; } = new(PasswordResult.Invalid);

    public static PasswordCheck Valid(string account) => new(PasswordResult.Valid, account);

    public static PasswordCheck Unavailable(string error) => new(PasswordResult.Unavailable, null, error);
}
