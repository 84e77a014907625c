using System.Diagnostics;
using System.Net.Sockets;

namespace Relayguard.IntegrationTests.Infrastructure;

/// <summary>
/// A real Dovecot (Debian's dovecot-core) started by a test with a private configuration in a temporary folder.
/// It runs no mail protocol, only the auth service, with a passwd-file user database of SHA512-CRYPT hashes.
/// Its auth listeners are a loopback port and a unix socket in the folder.
/// </summary>
public sealed class DovecotServer : IAsyncDisposable
{
    private const string DovecotPath = "/usr/sbin/dovecot";

    private readonly Process _process;

    private DovecotServer(Process process, string directory, int port)
    {
        _process = process;
        Directory = directory;
        Port = port;
    }

    public string Directory { get; }

    public int Port { get; }

    /// <summary>The auth socket for <c>dovecot:/PATH</c>.</summary>
    public string SocketPath => Path.Combine(Directory, "run", "auth-relayguard");

    public string Log => File.Exists(Path.Combine(Directory, "dovecot.log")) ? File.ReadAllText(Path.Combine(Directory, "dovecot.log")) : string.Empty;

    /// <summary>Starts Dovecot with the given users and plain passwords, which are stored hashed.</summary>
    public static async Task<DovecotServer> StartAsync(IReadOnlyDictionary<string, string> users)
    {
        if (!File.Exists(DovecotPath))
        {
            throw new InvalidOperationException($"{DovecotPath} does not exist: install Debian's dovecot-core (scripts/test-env/up.sh does).");
        }

        var directory = System.IO.Directory.CreateTempSubdirectory("relayguard-dovecot-").FullName;

        // The auth process runs as the dovecot user and must read the user database.
        File.SetUnixFileMode(directory, (UnixFileMode)0x1ED);
        var port = Ports.Free();
        var lines = new List<string>();
        foreach (var (user, password) in users)
        {
            lines.Add($"{user}:{await HashAsync(password)}");
        }

        var usersFile = Path.Combine(directory, "users");
        await File.WriteAllLinesAsync(usersFile, lines);
        var config = Path.Combine(directory, "dovecot.conf");
        await File.WriteAllTextAsync(config, $$"""
            base_dir = {{directory}}/run
            state_dir = {{directory}}/state
            log_path = {{directory}}/dovecot.log
            protocols =
            listen = 127.0.0.1
            ssl = no
            auth_mechanisms = plain login
            disable_plaintext_auth = no
            auth_failure_delay = 0
            passdb {
              driver = passwd-file
              args = {{usersFile}}
            }
            userdb {
              driver = static
              args = uid=nobody gid=nogroup home=/nonexistent
            }
            service auth {
              inet_listener {
                address = 127.0.0.1
                port = {{port}}
              }
              unix_listener auth-relayguard {
                mode = 0666
              }
            }
            """);
        File.SetUnixFileMode(usersFile, (UnixFileMode)0x1A4);
        File.SetUnixFileMode(config, (UnixFileMode)0x1A4);

        var start = new ProcessStartInfo(DovecotPath) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-F");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(config);
        var process = Process.Start(start) ?? throw new InvalidOperationException("dovecot did not start.");
        var server = new DovecotServer(process, directory, port);
        await Wait.UntilAsync(() => CanConnect(port) || process.HasExited, $"dovecot auth to listen on port {port}");
        if (process.HasExited)
        {
            throw new InvalidOperationException($"dovecot exited with {process.ExitCode}: {await process.StandardError.ReadToEndAsync()} {server.Log}");
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static async Task<string> HashAsync(string password)
    {
        var start = new ProcessStartInfo("/usr/bin/doveadm") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "pw", "-s", "SHA512-CRYPT", "-p", password })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("doveadm did not start.");
        var hash = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 || !hash.StartsWith("{SHA512-CRYPT}", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"doveadm pw failed with {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
        }

        return hash;
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
