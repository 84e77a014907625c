namespace Relayguard.Gateway.Blocks;

public static class BlockKinds
{
    public const string Account = "account";
    public const string Ip = "ip";

    /// <summary>The subject of an account blocked only on one address: <c>alice/100.64.0.7</c>.</summary>
    public static string AccountOnIp(string account, string ip) => $"{account}/{ip}";
}
