namespace Relayguard.Gateway.Blocks;

/// <summary>How a gateway of the distributed mode catches up with the operations service (configuration section <c>Gateway:CatchUp</c>).</summary>
public sealed class CatchUpOptions
{
    public const string SectionName = "Gateway:CatchUp";

    /// <summary>How long to wait for each page from the operations service. Default <c>10s</c>.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often to catch up again after the first success, in case an event was lost. Default <c>15m</c>.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The longest wait between two attempts while the operations service does not respond. Default <c>30s</c>.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);
}
