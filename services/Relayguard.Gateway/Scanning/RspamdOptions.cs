namespace Relayguard.Gateway.Scanning;

/// <summary>The spam scanner (configuration section <c>Rspamd</c>).</summary>
public sealed class RspamdOptions
{
    public const string SectionName = "Rspamd";

    /// <summary>Base URL of Rspamd's normal worker, such as http://127.0.0.1:11333; empty: messages are not scanned.</summary>
    public string? Url { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>When the scanner is down: false relays the message marked unscanned, true answers 451 4.7.1.</summary>
    public bool FailClosed { get; set; }

    /// <summary>Failures in a row that open the circuit breaker, so a dead scanner costs no timeout per message.</summary>
    public int BreakAfterFailures { get; set; } = 5;

    public TimeSpan BreakFor { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Messages larger than this are not sent to the scanner (Rspamd's own default limit is 50 MB).</summary>
    public long MaxScanSize { get; set; } = 20L * 1024 * 1024;
}
