using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Relayguard.DistributedTests.Infrastructure;

/// <summary>One service of the distributed mode as a separate OS process: <c>dotnet HOST.dll --Key=value ...</c>.</summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private const int Sigterm = 15;
    private const int MaxKeptLines = 400;

    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<string> _everyLine = new();
    private readonly Process _process;

    private ServiceProcess(string name, Process process, Uri httpBase)
    {
        Name = name;
        _process = process;
        HttpBase = httpBase;
    }

    public string Name { get; }

    /// <summary>The service's HTTP listener: health endpoints, metrics, and for operations the API.</summary>
    public Uri HttpBase { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>The last lines the process wrote, for failure messages.</summary>
    public string RecentOutput => string.Join('\n', _output);

    /// <summary>The lines the process wrote so far that contain <paramref name="fragment"/>, however long ago.</summary>
    public IReadOnlyList<string> LinesWith(string fragment) =>
        _everyLine.Where(line => line.Contains(fragment, StringComparison.Ordinal)).ToList();

    public static ServiceProcess Start(string name, string dll, Uri httpBase, IReadOnlyDictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start.");
        var service = new ServiceProcess(name, process, httpBase);
        process.OutputDataReceived += (_, line) => service.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => service.Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>Waits until <c>/health/ready</c> returns 200, or fails with the process output.</summary>
    public async Task WaitReadyAsync(TimeSpan? timeout = null)
    {
        using var http = new HttpClient { BaseAddress = HttpBase, Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            await Wait.UntilAsync(
                async () =>
                {
                    if (_process.HasExited)
                    {
                        throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}:\n{RecentOutput}");
                    }

                    try
                    {
                        using var response = await http.GetAsync("/health/ready");
                        return response.IsSuccessStatusCode;
                    }
                    catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                    {
                        return false;
                    }
                },
                $"{Name} to be ready",
                timeout ?? TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException($"{exception.Message}\n{RecentOutput}", exception);
        }

        // The service logs these before it starts. A test setting that nothing reads would leave a default in its place.
        if (RecentOutput.Contains("Unknown setting", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{Name} warned about a setting that it does not read:\n{RecentOutput}");
        }
    }

    /// <summary>Ends the process at once with SIGKILL, as a crash or an OOM kill would.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>Stops the process with SIGTERM and waits for its graceful shutdown.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        _ = SendSignal(_process.Id, Sigterm);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        _everyLine.Enqueue(line);
        while (_output.Count > MaxKeptLines)
        {
            _output.TryDequeue(out _);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
