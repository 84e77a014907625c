using System.Diagnostics;

namespace Relayguard.IntegrationTests;

/// <summary>
/// Runs each bench script in its smoke mode against the Release build that the test run made: the script must finish
/// and print its report. The figures are not checked, because benchmarks on a shared machine are not timed tests.
/// </summary>
public sealed class BenchSmokeTests
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(4);

    [Theory]
    [InlineData("relay.sh", "Relayguard / Postfix")]
    [InlineData("blocks.sh", "bytes per block")]
    [InlineData("detectors.sh", "| ca1 |")]
    [InlineData("decision.sh", "decision latency (ms)")]
    [InlineData("memory.sh", "concurrent sessions")]
    public async Task Script_SmokeRunPrintsReport(string script, string expected)
    {
        var (exitCode, output, error) = await RunAsync(script);

        Assert.True(exitCode == 0, $"bench/{script} --smoke exited with {exitCode}.\n--- stderr ---\n{error}\n--- stdout ---\n{output}");
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string script)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot(),
        };
        start.ArgumentList.Add(Path.Combine("bench", script));
        start.ArgumentList.Add("--smoke");

        // dotnet test already built the solution in Release; a second build would race it for the same files.
        start.Environment["RELAYGUARD_BENCH_SKIP_BUILD"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"bash bench/{script} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ScriptTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // SIGTERM lets the script's trap stop the servers it started.
            Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            throw new TimeoutException($"bench/{script} --smoke did not finish within {ScriptTimeout}.\n{await error}");
        }

        return (process.ExitCode, await output, await error);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Platform.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"No Platform.sln above {AppContext.BaseDirectory}.");
    }
}
