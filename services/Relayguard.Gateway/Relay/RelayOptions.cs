namespace Relayguard.Gateway.Relay;

/// <summary>The provider's MTA that accepted mail is handed to (configuration section <c>Relay</c>).</summary>
public sealed class RelayOptions
{
    public const string SectionName = "Relay";

    /// <summary>HOST:PORT of the upstream MTA. Empty: write accepted messages to DATA/pickup (loopback listeners only).</summary>
    public string? Upstream { get; set; }

    /// <summary>Upstream connections kept open and reused.</summary>
    public int Connections { get; set; } = 16;

    /// <summary>Time allowed for one upstream command, including the reply to the message data.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Connections idle longer than this are checked with NOOP before reuse.</summary>
    public TimeSpan IdleCheck { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Connections open longer than this are closed with QUIT before their next message, as Postfix's own
    /// <c>smtp_connection_reuse_time_limit</c> (300 s) does, so that a change made on the upstream with
    /// <c>postfix reload</c> reaches every connection within this time, even under steady load.
    /// </summary>
    public TimeSpan ConnectionReuseTime { get; set; } = TimeSpan.FromMinutes(5);
}
