namespace Relayguard.ServiceDefaults;

/// <summary>What a block applies to: an account, an account on one client address, or an IP address or IPv6 prefix.</summary>
public sealed record BlockSubject
{
    public const string AccountKind = "account";
    public const string IpKind = "ip";

    private BlockSubject(string kind, string value, string? onIp)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        Kind = kind;
        Value = value;
        OnIp = string.IsNullOrEmpty(onIp) ? null : onIp;
    }

    /// <summary><see cref="AccountKind"/> or <see cref="IpKind"/>, the same words as the <c>kind</c> of the operations API.</summary>
    public string Kind { get; }

    /// <summary>The account name, or the IPv4 address or IPv6 prefix in the form that <see cref="IpKeys.BlockKey(string)"/> returns.</summary>
    public string Value { get; }

    /// <summary>The client address when only the account on that address is blocked, otherwise null.</summary>
    public string? OnIp { get; }

    public static BlockSubject ForAccount(string account, string? onIp = null) => new(AccountKind, account, onIp);

    public static BlockSubject ForIp(string ipOrPrefix) => new(IpKind, ipOrPrefix, null);

    public override string ToString() => OnIp is null ? $"{Kind} {Value}" : $"{Kind} {Value} on {OnIp}";
}
