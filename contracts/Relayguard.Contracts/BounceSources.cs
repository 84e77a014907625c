namespace Relayguard.Contracts;

public static class BounceSources
{
    /// <summary>The upstream refused the recipient while the gateway relayed the message.</summary>
    public const string Relay = "relay";

    /// <summary>The upstream accepted the message and later sent a delivery status notification.</summary>
    public const string Dsn = "dsn";
}
