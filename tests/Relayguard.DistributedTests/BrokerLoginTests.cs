using Relayguard.DistributedTests.Infrastructure;

namespace Relayguard.DistributedTests;

/// <summary>
/// A service whose broker login is refused. MassTransit 8.5 did not start its receive endpoints again after that. A
/// detector or operations stops at once with one line naming the key and exit code 2. The gateway keeps serving from
/// its cached blocks, as with the broker out of reach, and stops once the login works, so that its supervisor starts it
/// afresh.
/// </summary>
[Collection(DistributedCollection.Name)]
public sealed class BrokerLoginTests(BrokerFixture fixture) : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("relayguard-login-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Theory]
    [InlineData("Relayguard.Detectors.Ca2.Host", "relayguard-ca2")]
    [InlineData("Relayguard.Operations.Host", "relayguard-operations")]
    public async Task WrongPassword_Exits2NamingBusKey(string project, string assembly)
    {
        var settings = new Dictionary<string, string>
        {
            ["Bus:RabbitMq"] = fixture.Broker.Uri("/").Replace("guest:guest@", "guest:wrong-password@", StringComparison.Ordinal),
            ["Data:Directory"] = _data,
            ["Http:Listen"] = $"127.0.0.1:{Ports.Free()}",
            ["Operations:Listen"] = $"127.0.0.1:{Ports.Free()}",
            ["Smtp:Listen"] = $"127.0.0.1:{Ports.Free()}",
        };

        var (exitCode, error) = await ServiceSettingsTests.RunAsync(Repository.HostDll(project, assembly), settings);

        Assert.Equal(2, exitCode);
        Assert.Contains($"{assembly}: Invalid Bus:RabbitMq: the broker refused the login (ACCESS_REFUSED).", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gateway_LoginRefused_ServesThenStopsOnceAccepted()
    {
        var user = "late-" + Guid.NewGuid().ToString("N")[..8];
        const string Password = "Late-pass-1";
        var smtpPort = Ports.Free();
        var http = new Uri($"http://127.0.0.1:{Ports.Free()}");
        var settings = new Dictionary<string, string>
        {
            ["Bus:RabbitMq"] = $"amqp://{user}:{Password}@127.0.0.1:{fixture.Broker.AmqpPort}/",
            ["Data:Directory"] = _data,
            ["Http:Listen"] = http.Authority,
            ["Smtp:Listen"] = $"127.0.0.1:{smtpPort}",
        };
        await using var gateway = ServiceProcess.Start("gateway", Repository.HostDll("Relayguard.Gateway.Host", "relayguard-gateway"), http, settings);

        await Wait.UntilAsync(() => gateway.RecentOutput.Contains($"refused the login of user '{user}'", StringComparison.Ordinal), "the gateway to log the refused login", TimeSpan.FromSeconds(60));
        Assert.False(gateway.HasExited, gateway.RecentOutput);
        using (var client = new System.Net.Sockets.TcpClient())
        {
            await client.ConnectAsync(System.Net.IPAddress.Loopback, smtpPort);
            using var reader = new StreamReader(client.GetStream());
            Assert.StartsWith("220 ", await reader.ReadLineAsync());
        }

        await fixture.Broker.CreateUserAsync(user, Password, "/");

        await Wait.UntilAsync(() => gateway.HasExited, "the gateway to stop once the broker accepts its login", TimeSpan.FromSeconds(90));
        Assert.Equal(1, gateway.ExitCode);
        Assert.Contains("now accepts the login", gateway.RecentOutput, StringComparison.Ordinal);
    }
}
