using Relayguard.Fuzz;

namespace Relayguard.IntegrationTests;

/// <summary>A short pass of the fuzzer in CI; the long run is <c>dotnet tests/Relayguard.Fuzz/bin/.../Relayguard.Fuzz.dll --sessions 10000</c>.</summary>
public sealed class FuzzTests
{
    [Fact]
    public async Task Fuzz_ShortPass_NoViolation()
    {
        using var progress = new StringWriter();

        var report = await FuzzRunner.RunAsync(new FuzzOptions { Sessions = 300, Seed = 20260301, WarmUpSessions = 50 }, progress);

        Assert.True(report.Passed, report.ToString());
        Assert.Equal(300, report.Sessions);
        Assert.Equal(0, report.Hangs);
        Assert.True(report.AcceptedAfterAuth > 0, report.ToString());
    }
}
