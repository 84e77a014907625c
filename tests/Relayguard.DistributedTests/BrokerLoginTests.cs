using Relayguard.DistributedTests.Infrastructure;

namespace Relayguard.DistributedTests;

/// <summary>
/// A service whose broker login is refused. MassTransit 8.5 did not retry its receive endpoints after that, so a gateway
/// would accept mail and never receive a block: every service stops with one line naming the key and exit code 2, and
/// its supervisor restarts it once the account is fixed.
/// </summary>
[Collection(DistributedCollection.Name)]
public sealed class BrokerLoginTests(BrokerFixture fixture) : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("relayguard-login-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Theory]
    [InlineData("Relayguard.Gateway.Host", "relayguard-gateway")]
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
}
