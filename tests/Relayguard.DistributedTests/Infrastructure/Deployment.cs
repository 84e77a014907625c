using System.Net.Http.Headers;
using Relayguard.Gateway.Identity;
using Relayguard.ServiceDefaults;

namespace Relayguard.DistributedTests.Infrastructure;

/// <summary>
/// The services of one test: a virtual host of the shared broker, a temporary folder for their data, and every
/// process started, all removed at the end.
/// </summary>
public sealed class Deployment : IAsyncDisposable
{
    private readonly RabbitMqBroker _broker;
    private readonly List<ServiceProcess> _processes = [];

    private Deployment(RabbitMqBroker broker, string virtualHost, string folder)
    {
        _broker = broker;
        VirtualHost = virtualHost;
        Folder = folder;
    }

    public string VirtualHost { get; }

    public string Folder { get; }

    public string BusUri => _broker.Uri(VirtualHost);

    public RabbitMqBroker Broker => _broker;

    public static async Task<Deployment> CreateAsync(RabbitMqBroker broker)
    {
        var virtualHost = "test-" + Guid.NewGuid().ToString("N")[..12];
        await broker.CreateVirtualHostAsync(virtualHost);
        return new Deployment(broker, virtualHost, Directory.CreateTempSubdirectory("relayguard-distributed-").FullName);
    }

    public ServiceSpec Operations()
    {
        var port = Ports.Free();
        return new ServiceSpec("operations", Repository.HostDll("Relayguard.Operations.Host", "relayguard-operations"), new Uri($"http://127.0.0.1:{port}"), new Dictionary<string, string>
        {
            ["Bus:RabbitMq"] = BusUri,
            ["Operations:Listen"] = $"127.0.0.1:{port}",
            ["Data:Directory"] = Path.Combine(Folder, "operations"),
        });
    }

    /// <summary>A detector (<c>ca1</c>, <c>ca2</c> or <c>bo1</c>); replicas given the same <paramref name="sqliteFile"/> share one store.</summary>
    public ServiceSpec Detector(string code, string? sqliteFile = null, string? name = null)
    {
        var port = Ports.Free();
        name ??= code;
        var project = $"Relayguard.Detectors.{char.ToUpperInvariant(code[0])}{code[1..]}.Host";
        return new ServiceSpec(name, Repository.HostDll(project, "relayguard-" + code), new Uri($"http://127.0.0.1:{port}"), new Dictionary<string, string>
        {
            ["Bus:RabbitMq"] = BusUri,
            ["Http:Listen"] = $"127.0.0.1:{port}",
            ["Data:Directory"] = Path.Combine(Folder, name),
            ["Store:Sqlite"] = sqliteFile ?? Path.Combine(Folder, name, "state.db"),
        });
    }

    public ServiceSpec Gateway(string instance, string upstream)
    {
        var http = Ports.Free();
        var smtp = Ports.Free();
        return new ServiceSpec("gateway-" + instance, Repository.HostDll("Relayguard.Gateway.Host", "relayguard-gateway"), new Uri($"http://127.0.0.1:{http}"), new Dictionary<string, string>
        {
            ["Bus:RabbitMq"] = BusUri,
            ["Http:Listen"] = $"127.0.0.1:{http}",
            ["Smtp:Listen"] = $"127.0.0.1:{smtp}",
            ["Smtp:AllowPlaintextAuth"] = "true",
            ["Smtp:HostName"] = "gateway.test",
            ["Relay:Upstream"] = upstream,
            ["Data:Directory"] = Path.Combine(Folder, "gateway-" + instance),
            ["Gateway:InstanceId"] = instance,
            ["Gateway:CatchUp:Timeout"] = "3s",
            ["Gateway:CatchUp:MaxBackoff"] = "2s",
        })
        {
            SmtpPort = smtp,
            BlockQueue = "gateway-blocks-" + instance,
        };
    }

    /// <summary>Adds an account to a gateway's local account store before the gateway starts (or while it runs).</summary>
    public static void AddAccount(ServiceSpec gateway, string name, string password)
    {
        Directory.CreateDirectory(gateway.DataDirectory);
        new AccountStore(new SqliteDatabase(Path.Combine(gateway.DataDirectory, "relayguard.db")), TimeProvider.System, iterations: 1000).Set(name, password);
    }

    /// <summary>Starts the process and waits until it is ready; for a gateway, also until its block queue has its consumer.</summary>
    public async Task<ServiceProcess> StartAsync(ServiceSpec spec, bool waitForBus = true)
    {
        var process = ServiceProcess.Start(spec.Name, spec.Dll, spec.HttpBase, spec.Settings);
        _processes.Add(process);
        await process.WaitReadyAsync();
        if (spec.BlockQueue is not null && waitForBus)
        {
            await Wait.UntilAsync(async () => (await _broker.QueueAsync(VirtualHost, spec.BlockQueue))?.Consumers > 0, $"{spec.Name} to consume its block queue", TimeSpan.FromSeconds(60));
        }

        return process;
    }

    public static HttpClient OperationsClient(ServiceSpec operations)
    {
        var token = File.ReadAllText(Path.Combine(operations.DataDirectory, "ops-token")).Trim();
        var client = new HttpClient { BaseAddress = operations.HttpBase };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        await _broker.DeleteVirtualHostAsync(VirtualHost);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }
}
