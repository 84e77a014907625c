using System.Diagnostics;

namespace Relayguard.IntegrationTests.Infrastructure;

/// <summary>
/// Runs the real <c>relayguard</c> command, the build output <c>services/Relayguard.Cli/bin/CONFIGURATION/net10.0/relayguard.dll</c>
/// of the same configuration as these tests, through <c>dotnet</c>, in a process of its own.
/// </summary>
public static class CliRunner
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly Lazy<string> Dll = new(FindDll);

    /// <summary>
    /// Runs the command with <paramref name="environment"/> added to a copy of this process's environment, a null value
    /// removing the variable, in <paramref name="workingDirectory"/> or this process's working folder.
    /// </summary>
    public static async Task<CliResult> RunAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?>? environment = null, string? input = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        start.ArgumentList.Add(Dll.Value);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("RELAYGUARD_OPS_TOKEN");
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"relayguard {string.Join(' ', args)} did not finish within {Timeout.TotalSeconds:0} seconds.");
        }

        return new CliResult(process.ExitCode, await output, await error);
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static string FindDll()
    {
        // The tests run from tests/Relayguard.IntegrationTests/bin/CONFIGURATION/net10.0/.
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = testOutput.Parent!.Name;
        var root = testOutput;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Platform.sln")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            throw new InvalidOperationException($"No Platform.sln above {AppContext.BaseDirectory}: run the tests inside the repository.");
        }

        var dll = Path.Combine(root.FullName, "services", "Relayguard.Cli", "bin", configuration, "net10.0", "relayguard.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} does not exist: build services/Relayguard.Cli with -c {configuration} first.");
        }

        return dll;
    }
}
