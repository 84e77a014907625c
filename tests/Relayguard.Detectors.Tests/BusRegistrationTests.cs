using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Tests;

public sealed class BusRegistrationTests
{
    [Fact]
    public void RelayguardBus_UsageTelemetryOff()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Bus:Transport"] = BusOptions.InMemoryTransport })
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRelayguardBus(configuration, _ => { });
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value;

        Assert.False(options.Enabled);
    }
}
