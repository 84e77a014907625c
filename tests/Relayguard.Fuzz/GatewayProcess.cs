using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Relayguard.Gateway.Identity;
using Relayguard.ServiceDefaults;

namespace Relayguard.Fuzz;

/// <summary>
/// <c>relayguard run</c> started as a separate process on loopback ports, with a data folder of its own, one account
/// for the fuzzer, and the throttles and rate limits off so that thousands of sessions from 127.0.0.1 are all judged
/// on their content.
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;

    private GatewayProcess(Process process, string dataDirectory, int smtpPort, int opsPort)
    {
        _process = process;
        DataDirectory = dataDirectory;
        SmtpEndPoint = new IPEndPoint(IPAddress.Loopback, smtpPort);
        OpsPort = opsPort;
    }

    public string DataDirectory { get; }

    public IPEndPoint SmtpEndPoint { get; }

    public int OpsPort { get; }

    public string PickupDirectory => Path.Combine(DataDirectory, "pickup");

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static async Task<GatewayProcess> StartAsync(TimeSpan serverTimeout)
    {
        var data = Directory.CreateTempSubdirectory("relayguard-fuzz-").FullName;

        // Fewer PBKDF2 iterations than a real account, so that thousands of logins cost little CPU.
        new AccountStore(new SqliteDatabase(Path.Combine(data, "relayguard.db")), TimeProvider.System, iterations: 1000).Set(SessionGenerator.User, SessionGenerator.Password);
        var smtp = FreePort();
        var ops = FreePort();
        var timeout = $"{(int)serverTimeout.TotalSeconds}s";
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        string[] arguments =
        [
            Path.Combine(AppContext.BaseDirectory, "relayguard.dll"), "run",
            "--smtp", $"127.0.0.1:{smtp}", "--ops", $"127.0.0.1:{ops}", "--data", data, "--allow-plaintext-auth",
            $"--Limits:CommandTimeout={timeout}", $"--Limits:DataTimeout={timeout}", "--Limits:SessionsPerIp=0",
            "--Auth:Throttle:Failures=1000000", "--Auth:Throttle:UserNames=1000000", "--Auth:LoginNetworks:Count=0",
            "--Rules:RL1:MessagesPerHour=0", "--Rules:RL1:RecipientsPerHour=0", "--Logging:LogLevel:Default=Warning",
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var log = new StreamWriter(Path.Combine(data, "gateway.log")) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => WriteLine(log, e.Data);
        process.ErrorDataReceived += (_, e) => WriteLine(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var gateway = new GatewayProcess(process, data, smtp, ops);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!CanConnect(smtp))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"relayguard run did not start listening on port {smtp}; see {Path.Combine(data, "gateway.log")}.");
            }

            await Task.Delay(50);
        }

        return gateway;
    }

    /// <summary>The process's resident set size in bytes, from /proc.</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kilobytes = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"/proc/{_process.Id}/status has no VmRSS line.");
    }

    /// <summary>Returns whether /health/live returns 200.</summary>
    public async Task<bool> IsLiveAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            return (await http.GetAsync(new Uri($"http://127.0.0.1:{OpsPort}/health/live"))).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static void WriteLine(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool CanConnect(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
