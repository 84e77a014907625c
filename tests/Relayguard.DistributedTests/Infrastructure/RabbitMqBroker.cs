using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Relayguard.DistributedTests.Infrastructure;

/// <summary>
/// A RabbitMQ broker (Debian's rabbitmq-server) private to this test run, on free loopback ports, with the
/// management API. The suite owns it because one test stops it for 20 seconds, and the broker of scripts/test-env
/// is shared with test projects that run at the same time. Each test gets a virtual host of its own.
/// </summary>
public sealed class RabbitMqBroker : IAsyncDisposable
{
    private const string RabbitMqBin = "/usr/lib/rabbitmq/bin";

    private readonly string _state = Directory.CreateTempSubdirectory("relayguard-rabbitmq-").FullName;
    private readonly Dictionary<string, string> _environment;
    private readonly HttpClient _management;
    private Process? _server;

    public RabbitMqBroker()
    {
        AmqpPort = Ports.Free();
        ManagementPort = Ports.Free();
        EpmdPort = Ports.Free();
        var home = Path.Combine(_state, "home");
        Directory.CreateDirectory(home);
        File.WriteAllText(Path.Combine(home, ".erlang.cookie"), Guid.NewGuid().ToString("N"));
        File.SetUnixFileMode(Path.Combine(home, ".erlang.cookie"), UnixFileMode.UserRead);
        File.WriteAllText(Path.Combine(_state, "rabbitmq.conf"), $"""
            listeners.tcp.default = 127.0.0.1:{AmqpPort}
            management.tcp.ip = 127.0.0.1
            management.tcp.port = {ManagementPort}
            log.console = false
            """);

        // RabbitMQ 3.10 opens a UDP socket for syslog on every address unless configured otherwise.
        File.WriteAllText(Path.Combine(_state, "advanced.config"), "[{syslog, [{protocol, {rfc3164, udp, [{ip, {127, 0, 0, 1}}]}}]}].");
        File.WriteAllText(Path.Combine(_state, "rabbitmq-env.conf"), string.Empty);
        const string distInterface = "-kernel inet_dist_use_interface {127,0,0,1}";
        _environment = new Dictionary<string, string>
        {
            ["HOME"] = home,
            ["RABBITMQ_NODENAME"] = $"relayguard-dist-{AmqpPort}@localhost",
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = AmqpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = Ports.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(_state, "rabbitmq.conf"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(_state, "advanced.config"),
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(_state, "rabbitmq-env.conf"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_state, "enabled_plugins"),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(_state, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(_state, "log"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(_state, "rabbitmq.pid"),
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = distInterface,
            ["RABBITMQ_CTL_ERL_ARGS"] = distInterface,
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            ["ERL_EPMD_PORT"] = EpmdPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        _management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ManagementPort}/api/"), Timeout = TimeSpan.FromSeconds(30) };
        _management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("guest:guest")));
    }

    public int AmqpPort { get; }

    public int ManagementPort { get; }

    public int EpmdPort { get; }

    public bool IsRunning => _server is { HasExited: false };

    /// <summary>The broker address of a virtual host, as the services take it in <c>Bus:RabbitMq</c>.</summary>
    public string Uri(string virtualHost) => $"amqp://guest:guest@127.0.0.1:{AmqpPort}/{System.Uri.EscapeDataString(virtualHost)}";

    public async Task StartAsync()
    {
        if (!File.Exists(Path.Combine(RabbitMqBin, "rabbitmq-server")))
        {
            throw new InvalidOperationException("RabbitMQ is not installed: run scripts/test-env/up.sh, which installs Debian's rabbitmq-server.");
        }

        if (!File.Exists(Path.Combine(_state, "enabled_plugins")))
        {
            await RunToolAsync("rabbitmq-plugins", "enable", "--offline", "rabbitmq_management");
        }

        var start = new ProcessStartInfo(Path.Combine(RabbitMqBin, "rabbitmq-server"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        _server = Process.Start(start) ?? throw new InvalidOperationException("rabbitmq-server did not start.");
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        await RunToolAsync("rabbitmqctl", "wait", _environment["RABBITMQ_PID_FILE"], "--timeout", "120");
        await Wait.UntilAsync(ManagementAnswersAsync, "the RabbitMQ management API", TimeSpan.FromSeconds(60));
    }

    /// <summary>Stops the broker with <c>rabbitmqctl stop</c>, as an operator would, and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (_server is null || _server.HasExited)
        {
            return;
        }

        await RunToolAsync("rabbitmqctl", "stop", _environment["RABBITMQ_PID_FILE"]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _server.WaitForExitAsync(timeout.Token);
        _server.Dispose();
        _server = null;
    }

    public async Task CreateVirtualHostAsync(string name)
    {
        (await _management.PutAsync($"vhosts/{System.Uri.EscapeDataString(name)}", null)).EnsureSuccessStatusCode();
        var permissions = JsonContent.Create(new { configure = ".*", write = ".*", read = ".*" });
        (await _management.PutAsync($"permissions/{System.Uri.EscapeDataString(name)}/guest", permissions)).EnsureSuccessStatusCode();
    }

    /// <summary>Adds a user with full permissions on the virtual host, as an operator fixing a missing account would.</summary>
    public async Task CreateUserAsync(string name, string password, string virtualHost)
    {
        (await _management.PutAsync($"users/{System.Uri.EscapeDataString(name)}", JsonContent.Create(new { password, tags = string.Empty }))).EnsureSuccessStatusCode();
        var permissions = JsonContent.Create(new { configure = ".*", write = ".*", read = ".*" });
        (await _management.PutAsync($"permissions/{System.Uri.EscapeDataString(virtualHost)}/{System.Uri.EscapeDataString(name)}", permissions)).EnsureSuccessStatusCode();
    }

    public async Task DeleteVirtualHostAsync(string name)
    {
        if (IsRunning)
        {
            await _management.DeleteAsync($"vhosts/{System.Uri.EscapeDataString(name)}");
        }
    }

    /// <summary>Returns the queue's consumers and ready plus unacknowledged messages, or null when it does not exist.</summary>
    public async Task<(int Consumers, long Messages)?> QueueAsync(string virtualHost, string queue)
    {
        using var response = await _management.GetAsync($"queues/{System.Uri.EscapeDataString(virtualHost)}/{System.Uri.EscapeDataString(queue)}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        var consumers = root.TryGetProperty("consumers", out var c) ? c.GetInt32() : 0;
        var messages = root.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt64() : 0;
        return (consumers, messages);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            // epmd outlives the broker; this one listens on a port of its own, so -kill reaches no other.
            await RunToolAsync("/usr/bin/epmd", "-port", EpmdPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-kill");
            _management.Dispose();
            Directory.Delete(_state, recursive: true);
        }
    }

    private async Task<bool> ManagementAnswersAsync()
    {
        try
        {
            using var response = await _management.GetAsync("overview");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private async Task RunToolAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool.StartsWith('/') ? tool : Path.Combine(RabbitMqBin, tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0 && !tool.EndsWith("epmd", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }
}
