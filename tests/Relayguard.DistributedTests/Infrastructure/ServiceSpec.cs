namespace Relayguard.DistributedTests.Infrastructure;

/// <summary>How to start one service process; starting the same spec again restarts it on the same ports and data.</summary>
public sealed record ServiceSpec(string Name, string Dll, Uri HttpBase, Dictionary<string, string> Settings)
{
    public string DataDirectory => Settings["Data:Directory"];

    /// <summary>The submission port of a gateway; 0 for the other services.</summary>
    public int SmtpPort { get; init; }

    /// <summary>The queue a gateway receives its block events on; null for the other services.</summary>
    public string? BlockQueue { get; init; }
}
