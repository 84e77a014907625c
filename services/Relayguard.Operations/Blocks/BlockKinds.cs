namespace Relayguard.Operations.Blocks;

/// <summary>The kinds of block subject: an account (possibly only on one address), or an IP address or IPv6 prefix.</summary>
public static class BlockKinds
{
    public const string Account = "account";
    public const string Ip = "ip";

    public static readonly IReadOnlyList<string> All = [Account, Ip];
}
