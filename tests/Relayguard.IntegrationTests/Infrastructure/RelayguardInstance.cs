using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Relayguard.Cli;
using Relayguard.Gateway;
using Relayguard.Gateway.Identity;
using Relayguard.Operations;
using Relayguard.Operations.Tokens;
using Relayguard.ServiceDefaults;

namespace Relayguard.IntegrationTests.Infrastructure;

/// <summary>
/// Relayguard in the embedded mode, started in this test process exactly as <c>relayguard run</c> builds it,
/// on loopback ports chosen by the system, with a data folder of its own that survives a restart.
/// </summary>
public sealed class RelayguardInstance : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RelayguardInstance(WebApplication app, string dataDirectory, Dictionary<string, string?> settings, CapturedLogs logs)
    {
        _app = app;
        DataDirectory = dataDirectory;
        Settings = settings;
        Logs = logs;
    }

    public string DataDirectory { get; }

    public Dictionary<string, string?> Settings { get; }

    public CapturedLogs Logs { get; }

    public IServiceProvider Services => _app.Services;

    public IPEndPoint SmtpEndPoint { get; private set; } = null!;

    public Uri OpsUrl { get; private set; } = null!;

    public string OperatorToken => File.ReadAllText(Path.Combine(DataDirectory, "ops-token")).Trim();

    /// <summary>Starts an instance; <paramref name="settings"/> are configuration keys as <c>relayguard run</c>'s options set them.</summary>
    public static async Task<RelayguardInstance> StartAsync(Dictionary<string, string?> settings, string? dataDirectory = null, Action<WebApplicationBuilder>? configure = null)
    {
        dataDirectory ??= Directory.CreateTempSubdirectory("relayguard-test-").FullName;
        var all = new Dictionary<string, string?>(settings, StringComparer.OrdinalIgnoreCase)
        {
            ["Data:Directory"] = dataDirectory,
            ["Smtp:HostName"] = "gateway.test",
        };
        all.TryAdd("Smtp:Listen", "127.0.0.1:0");

        // Record traces as a deployment with an exporter does: tests read spans and the trace ids in evidence.
        all.TryAdd("Telemetry:Traces", "on");
        all.TryAdd("Operations:Listen", "127.0.0.1:0");
        var logs = new CapturedLogs();
        var app = EmbeddedHost.Build([], all, builder =>
        {
            builder.Logging.AddProvider(logs);
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
            configure?.Invoke(builder);
        });
        // Every test's settings must be ones the product reads, or the test would run with a default in their place.
        var unknown = KnownSettings.FindUnknown(app.Configuration, app.Services.GetServices<KnownSetting>());
        if (unknown.Count > 0)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException(string.Join('\n', unknown));
        }

        OperatorTokens.EnsureInitialToken(dataDirectory, app.Services.GetRequiredService<SqliteDatabase>());
        await app.StartAsync();
        var instance = new RelayguardInstance(app, dataDirectory, settings, logs);
        instance.SmtpEndPoint = app.Services.GetRequiredService<SmtpGatewayService>().SubmissionEndPoint!;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        instance.OpsUrl = new Uri(address);
        return instance;
    }

    /// <summary>Stops this instance and starts a new one on the same data folder.</summary>
    public async Task<RelayguardInstance> RestartAsync()
    {
        await StopAsync();
        return await StartAsync(Settings, DataDirectory);
    }

    public T Get<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    public void AddAccount(string name, string password) =>
        new AccountStore(Get<SqliteDatabase>(), TimeProvider.System, iterations: 1000).Set(name, password);

    public HttpClient OpsClient(string? token = null)
    {
        var client = new HttpClient { BaseAddress = OpsUrl };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token ?? OperatorToken);
        return client;
    }

    public async Task StopAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (ObjectDisposedException)
        {
            // Already stopped by a restart.
        }
    }
}
