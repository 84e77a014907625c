using System.Diagnostics;

namespace Relayguard.IntegrationTests.Infrastructure;

/// <summary>
/// A real Postfix started from a private configuration directory on a loopback port: the provider's MTA
/// behind the gateway. It relays everything to <c>relayHost</c> and sends copies of its bounces
/// (<c>notify_classes = bounce</c>) to the gateway's DSN listener, as deploy/postfix/ describes.
/// </summary>
public sealed class PostfixInstance : IAsyncDisposable
{
    private const string Postfix = "/usr/sbin/postfix";

    private PostfixInstance(string directory, int port)
    {
        Directory = directory;
        Port = port;
    }

    public string Directory { get; }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public string ConfigDirectory => Path.Combine(Directory, "etc");

    public string Log => File.Exists(Path.Combine(Directory, "maillog")) ? File.ReadAllText(Path.Combine(Directory, "maillog")) : string.Empty;

    /// <summary>Starts Postfix; <paramref name="extraSettings"/> are main.cf lines added at the end, such as smtpd restrictions.</summary>
    public static async Task<PostfixInstance> StartAsync(string relayHost, string dsnListener, string extraSettings = "")
    {
        if (!File.Exists(Postfix))
        {
            throw new InvalidOperationException($"{Postfix} does not exist: run scripts/test-env/up.sh, which installs Postfix.");
        }

        var port = Ports.Free();
        var directory = System.IO.Directory.CreateTempSubdirectory("relayguard-postfix-").FullName;
        File.SetUnixFileMode(directory, (UnixFileMode)0x1ED);
        var etc = System.IO.Directory.CreateDirectory(Path.Combine(directory, "etc")).FullName;
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "queue"));
        var data = System.IO.Directory.CreateDirectory(Path.Combine(directory, "data")).FullName;
        await RunAsync("chown", "postfix", data);

        var relay = "[" + relayHost.Replace(":", "]:", StringComparison.Ordinal);
        var transport = "inline:{relayguard.invalid=smtp:[" + dsnListener.Replace(":", "]:", StringComparison.Ordinal) + "}";
        await File.WriteAllTextAsync(Path.Combine(etc, "main.cf"), $"""
            compatibility_level = 3.6
            queue_directory = {directory}/queue
            data_directory = {data}
            mail_owner = postfix
            setgid_group = postdrop
            shlib_directory = /usr/lib/postfix
            daemon_directory = /usr/lib/postfix/sbin
            command_directory = /usr/sbin
            meta_directory = /etc/postfix
            myhostname = upstream.test
            mydomain = upstream.test
            myorigin = upstream.test
            mydestination =
            inet_interfaces = 127.0.0.1
            inet_protocols = ipv4
            mynetworks = 127.0.0.0/8
            relayhost = {relay}
            smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
            smtp_dns_support_level = disabled
            smtp_host_lookup = native
            notify_classes = bounce, resource, software
            bounce_notice_recipient = relayguard-dsn@relayguard.invalid
            2bounce_notice_recipient = relayguard-dsn@relayguard.invalid
            allow_percent_hack = no
            swap_bangpath = no
            resolve_dequoted_address = no
            transport_maps = {transport}
            maillog_file_prefixes = /tmp, /var
            maillog_file = {directory}/maillog
            alias_maps =
            alias_database =
            local_recipient_maps =
            biff = no
            {extraSettings}
            """);

        // Debian's master.cf with chroot off (the private queue has no chroot files) and smtpd on our port.
        var master = (await File.ReadAllLinesAsync("/etc/postfix/master.cf")).Select(line =>
        {
            if (line.StartsWith("smtp ", StringComparison.Ordinal) && line.Contains(" inet ", StringComparison.Ordinal))
            {
                return $"127.0.0.1:{port} inet n - n - - smtpd";
            }

            var fields = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 8 && !line.StartsWith('#') && fields[4] == "y")
            {
                fields[4] = "n";
                return string.Join(' ', fields);
            }

            return line;
        });
        await File.WriteAllLinesAsync(Path.Combine(etc, "master.cf"), master);

        var instance = new PostfixInstance(directory, port);
        await RunAsync(Postfix, "-c", etc, "start");
        await Wait.UntilAsync(() => instance.Log.Contains("daemon started", StringComparison.Ordinal), "Postfix to start");
        return instance;
    }

    /// <summary>
    /// Sets one main.cf parameter with postconf and restarts Postfix. A reload would leave open connections with
    /// the smtpd that has the old settings; a restart closes them, as an upstream's restart does.
    /// </summary>
    public async Task SetAsync(string name, string value)
    {
        await RunAsync("/usr/sbin/postconf", "-c", ConfigDirectory, "-e", $"{name} = {value}");
        await StopAsync();
        var starts = Starts();
        await RunAsync(Postfix, "-c", ConfigDirectory, "start");
        await Wait.UntilAsync(() => Starts() > starts, "Postfix to start again");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private string[] MasterStarts() =>
        Log.Split('\n').Where(line => line.Contains("postfix/master[", StringComparison.Ordinal) && line.Contains("daemon started", StringComparison.Ordinal)).ToArray();

    private int Starts() => MasterStarts().Length;

    private async Task StopAsync()
    {
        // The master holds an exclusive lock on master.pid, which .NET's own file locking will not open, so the
        // pid comes from its last "daemon started" log line instead.
        var started = MasterStarts().LastOrDefault();
        var pid = started is null ? null : started[(started.IndexOf("master[", StringComparison.Ordinal) + 7)..started.IndexOf(']', started.IndexOf("master[", StringComparison.Ordinal))];
        await RunAsync(Postfix, "-c", ConfigDirectory, "stop");
        if (pid is not null)
        {
            await Wait.UntilAsync(() => !System.IO.Directory.Exists($"/proc/{pid}"), "the Postfix master process to exit");
        }
    }

    private static async Task RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed with {process.ExitCode}: {error}");
        }
    }
}
