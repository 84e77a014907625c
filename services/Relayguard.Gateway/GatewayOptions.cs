namespace Relayguard.Gateway;

/// <summary>The submission listeners and who may use them (configuration section <c>Smtp</c>).</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Smtp";

    /// <summary>The submission listener (STARTTLS when a certificate is available), ADDRESS:PORT.</summary>
    public string Listen { get; set; } = "127.0.0.1:2525";

    /// <summary>An implicit-TLS listener (RFC 8314, usually port 465), ADDRESS:PORT; none by default.</summary>
    public string? ImplicitTlsListen { get; set; }

    /// <summary>
    /// Ranges that may send without AUTH, as <c>CIDR</c> or <c>CIDR=ACCOUNT</c> (the account their mail is
    /// counted under). Nothing is trusted by default, loopback included.
    /// </summary>
    public List<string> Trusted { get; set; } = [];

    /// <summary>Accept AUTH without TLS; honoured only on loopback listeners.</summary>
    public bool AllowPlaintextAuth { get; set; }

    /// <summary>The name in the greeting, EHLO reply and Received header; the machine name by default.</summary>
    public string? HostName { get; set; }

    /// <summary>
    /// Ranges shared by many customers (carrier-grade NAT): rules block the account on such an address,
    /// never the whole address.
    /// </summary>
    public List<string> SharedRanges { get; set; } = ["100.64.0.0/10"];

    /// <summary>
    /// Load balancer addresses (CIDR) that must start each connection with a PROXY protocol v2 header naming the
    /// customer's address. Connections from other addresses are taken as they are. None by default.
    /// </summary>
    public List<string> ProxyProtocolFrom { get; set; } = [];

    /// <summary>Base64 key for the recipient hashes in events; generated into the data folder when empty.</summary>
    public string? RecipientHashKey { get; set; }
}
