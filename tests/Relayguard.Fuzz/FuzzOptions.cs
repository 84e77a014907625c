namespace Relayguard.Fuzz;

/// <summary>Settings of one fuzz run.</summary>
public sealed record FuzzOptions
{
    /// <summary>Number of sessions, warm-up not included.</summary>
    public int Sessions { get; init; } = 10_000;

    /// <summary>Seed of the random generator: the same seed sends the same sessions.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Sessions open at once.</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary>The gateway's command and data timeout during the run; a session that outlives it by <see cref="HangMargin"/> is a hang.</summary>
    public TimeSpan ServerTimeout { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan HangMargin { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Maximum growth of the gateway's resident set from after the warm-up to after the run.</summary>
    public long MaxRssGrowthBytes { get; init; } = 50L * 1024 * 1024;

    /// <summary>Valid sessions run before the first memory measurement, so that start-up costs (JIT, pools) are not counted.</summary>
    public int WarmUpSessions { get; init; } = 200;
}
