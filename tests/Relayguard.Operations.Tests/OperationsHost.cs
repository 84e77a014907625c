using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using MassTransit.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Relayguard.Contracts;
using Relayguard.Operations.Tokens;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Tests;

/// <summary>
/// The operations API on a real Kestrel listener at 127.0.0.1 (random port), with MassTransit's in-memory test
/// harness, a SQLite file in a temporary folder and a fake clock. Holds an operate token (admin) and a read token.
/// </summary>
internal sealed class OperationsHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly WebApplication _app;

    private OperationsHost(WebApplication app, string dataDirectory, FakeTimeProvider time, Uri address, string operateToken, string readToken)
    {
        _app = app;
        DataDirectory = dataDirectory;
        Time = time;
        Harness = app.Services.GetRequiredService<ITestHarness>();
        Database = app.Services.GetRequiredService<SqliteDatabase>();
        Anonymous = new HttpClient { BaseAddress = address };
        Operator = Client(address, operateToken);
        Reader = Client(address, readToken);
        OperateToken = operateToken;
    }

    public string DataDirectory { get; }

    public FakeTimeProvider Time { get; }

    public ITestHarness Harness { get; }

    public SqliteDatabase Database { get; }

    public HttpClient Anonymous { get; }

    /// <summary>Sends the token named admin, with the operate role.</summary>
    public HttpClient Operator { get; }

    /// <summary>Sends the token named viewer, with the read role.</summary>
    public HttpClient Reader { get; }

    public string OperateToken { get; }

    public static async Task<OperationsHost> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "relayguard-ops-tests", Guid.NewGuid().ToString("N"));
        var database = new SqliteDatabase(Path.Combine(dataDirectory, "relayguard.db"));
        var time = new FakeTimeProvider(Start);

        var tokenPath = OperatorTokens.EnsureInitialToken(dataDirectory, database)!;
        var operateToken = await File.ReadAllTextAsync(tokenPath);
        var readToken = new SqliteTokenStore(database, time).Add("viewer", OperatorRoles.Read);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddOperations(builder.Configuration);
        builder.Services.AddMassTransitTestHarness(bus => bus.AddOperationsConsumers());

        var app = builder.Build();
        app.MapOperationsApi();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDirectory, recursive: true);
            throw;
        }

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        var address = new Uri(addresses.Addresses.Single());
        return new OperationsHost(app, dataDirectory, time, address, operateToken, readToken);
    }

    /// <summary>Publishes an event on the bus and waits until the operations consumer has handled it.</summary>
    public async Task PublishAsync<T>(T message, Guid eventId)
        where T : class
    {
        await Harness.Bus.Publish(message);
        await WaitConsumedAsync<T>(eventId, times: 1);
    }

    /// <summary>
    /// Waits until the consumers have handled the event with this id <paramref name="times"/> times, without a fault.
    /// It polls the harness for up to 30 seconds instead of using its inactivity timeout of about a second, which ends
    /// the wait too early when the machine is busy, such as while other test projects run in parallel.
    /// </summary>
    public async Task WaitConsumedAsync<T>(Guid eventId, int times)
        where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var consumed = Harness.Consumed.Select<T>(context => EventIdOf(context.Context.Message) == eventId).ToList();
            Assert.All(consumed, message => Assert.Null(message.Exception));
            if (consumed.Count >= times)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{typeof(T).Name} {eventId} was consumed {consumed.Count} times, expected {times}.");
            }

            await Task.Delay(20);
        }
    }

    public async Task<Guid> BlockAccountAsync(string account, string code = RuleCodes.Ca1, DateTimeOffset? blockedAt = null, DateTimeOffset? expiresAt = null, string? onIp = null)
    {
        var message = Events.AccountBlocked(account, code, blockedAt ?? Time.GetUtcNow(), expiresAt, onIp);
        await PublishAsync(message, message.EventId);
        return message.EventId;
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    public async ValueTask DisposeAsync()
    {
        Anonymous.Dispose();
        Operator.Dispose();
        Reader.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(DataDirectory, recursive: true);
    }

    private static Guid EventIdOf(object message) => message switch
    {
        AccountBlocked blocked => blocked.EventId,
        IpBlocked blocked => blocked.EventId,
        AccountUnblocked unblocked => unblocked.EventId,
        IpUnblocked unblocked => unblocked.EventId,
        _ => Guid.Empty,
    };

    private static HttpClient Client(Uri address, string token)
    {
        var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
