using System.Diagnostics;
using System.Net.Sockets;

namespace Relayguard.IntegrationTests.Infrastructure;

/// <summary>Postfix's smtp-sink on a loopback port, dumping each transaction it accepts to a file.</summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly Process _process;

    private SmtpSink(Process process, int port, string dumpDirectory)
    {
        _process = process;
        Port = port;
        DumpDirectory = dumpDirectory;
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public string DumpDirectory { get; }

    /// <summary>Starts a sink; <paramref name="extraArguments"/> such as <c>-f RCPT -B "550 5.1.1 ..."</c> make it refuse commands.</summary>
    public static async Task<SmtpSink> StartAsync(params string[] extraArguments)
    {
        var port = Ports.Free();
        var dump = Directory.CreateTempSubdirectory("relayguard-sink-").FullName;

        // smtp-sink drops privileges to the -u user, which must be able to write the dump folder.
        File.SetUnixFileMode(dump, (UnixFileMode)0x1FF);
        var start = new ProcessStartInfo(TestEnvironment.SmtpSink)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var argument in new[] { "-u", "nobody", "-d", Path.Combine(dump, "%Y%m%d%H%M%S.") }.Concat(extraArguments).Concat([$"127.0.0.1:{port}", "256"]))
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("smtp-sink did not start.");
        var sink = new SmtpSink(process, port, dump);
        await Wait.UntilAsync(() => CanConnect(port) || process.HasExited, $"smtp-sink to listen on port {port}");
        if (process.HasExited)
        {
            throw new InvalidOperationException($"smtp-sink exited with {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
        }

        return sink;
    }

    /// <summary>The dumped transactions: smtp-sink's own X- headers, then the message as received.</summary>
    public IReadOnlyList<string> Messages() =>
        Directory.EnumerateFiles(DumpDirectory).Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(DumpDirectory, recursive: true);
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
