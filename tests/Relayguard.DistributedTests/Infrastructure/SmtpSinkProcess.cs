using System.Diagnostics;
using System.Net.Sockets;

namespace Relayguard.DistributedTests.Infrastructure;

/// <summary>Postfix's smtp-sink on a loopback port: the upstream MTA that accepts every message.</summary>
public sealed class SmtpSinkProcess : IAsyncDisposable
{
    private const string Path = "/usr/sbin/smtp-sink";

    private readonly Process _process;

    private SmtpSinkProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public static async Task<SmtpSinkProcess> StartAsync()
    {
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException($"{Path} is missing: run scripts/test-env/up.sh, which installs Debian's postfix.");
        }

        var port = Ports.Free();
        var start = new ProcessStartInfo(Path) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-u", "nobody", $"127.0.0.1:{port}", "256" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("smtp-sink did not start.");
        await Wait.UntilAsync(() => process.HasExited || CanConnect(port), $"smtp-sink to listen on port {port}");
        if (process.HasExited)
        {
            throw new InvalidOperationException($"smtp-sink exited with {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
        }

        return new SmtpSinkProcess(process, port);
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

    private static bool CanConnect(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
