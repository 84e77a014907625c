namespace Relayguard.Benchmarks;

/// <summary>
/// Warm-up until the JIT compiler is nearly idle. Tiered compilation recompiles hot methods in the background for a
/// long time after they first run, so a fixed warm-up can leave that work inside the timed run.
/// </summary>
public static class JitWarmUp
{
    /// <summary>A round that compiles fewer methods than this leaves the JIT compiler nearly idle.</summary>
    public const int IdleCompilations = 10;

    /// <summary>
    /// Runs rounds of <paramref name="roundSize"/> items, at least two, until a round compiles fewer than
    /// <see cref="IdleCompilations"/> methods or <paramref name="maxRounds"/> have run. Each round gets the number of
    /// items run before it. Returns the number of items run in all.
    /// </summary>
    public static async Task<int> RunAsync(int roundSize, int maxRounds, string label, Func<int, Task> round)
    {
        ArgumentNullException.ThrowIfNull(round);
        var done = 0;
        for (var i = 0; i < maxRounds; i++)
        {
            var compiledBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
            await round(done);
            done += roundSize;
            var compiled = System.Runtime.JitInfo.GetCompiledMethodCount() - compiledBefore;
            Console.Error.WriteLine($"warm-up: {done} {label}, {compiled} methods compiled in the last round");
            if (i > 0 && compiled < IdleCompilations)
            {
                break;
            }
        }

        return done;
    }
}
