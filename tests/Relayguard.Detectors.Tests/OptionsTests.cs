using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Relayguard.Detectors.Bo1;
using Relayguard.Detectors.Ca1;
using Relayguard.Detectors.Ca2;

namespace Relayguard.Detectors.Tests;

public sealed class OptionsTests : IDisposable
{
    private readonly TestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public void Ca1_Defaults()
    {
        var options = Resolve<Ca1Options>([], (services, configuration) => services.AddCa1Detector(configuration));

        Assert.Equal(TimeSpan.FromHours(1), options.WindowDuration);
        Assert.Equal(25, options.MinInvalidRecipients);
        Assert.Equal(0.2, options.MinInvalidShare);
    }

    [Fact]
    public void Ca1_BindsDurationStrings()
    {
        var options = Resolve<Ca1Options>(
            new() { ["Rules:CA1:Window"] = "30m", ["Rules:CA1:MinInvalidRecipients"] = "10", ["Rules:CA1:MinInvalidShare"] = "0.5" },
            (services, configuration) => services.AddCa1Detector(configuration));

        Assert.Equal(TimeSpan.FromMinutes(30), options.WindowDuration);
        Assert.Equal(10, options.MinInvalidRecipients);
        Assert.Equal(0.5, options.MinInvalidShare);
    }

    [Theory]
    [InlineData("Rules:CA1:Window", "1 hour", "Rules:CA1:Window must be a duration")]
    [InlineData("Rules:CA1:MinInvalidShare", "1.5", "Rules:CA1:MinInvalidShare must be between 0 and 1")]
    [InlineData("Rules:CA1:MinInvalidRecipients", "0", "Rules:CA1:MinInvalidRecipients must be at least 1")]
    [InlineData("Rules:CA1:MinInvalidShare", "-0.1", "Rules:CA1:MinInvalidShare must be between 0 and 1")]
    [InlineData("Rules:CA1:Retention", "30m", "Rules:CA1:Retention must be a duration at least as long as Rules:CA1:Window")]
    public async Task Ca1_InvalidValueStopsStart(string key, string value, string expected)
    {
        var exception = await StartAsync(key, value, (services, configuration) => services.AddCa1Detector(configuration));

        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ca1_NonNumberStopsStart()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Rules:CA1:MinInvalidRecipients"] = "many" });
        builder.Services.AddSingleton(_database.Database);
        builder.Services.AddCa1Detector(builder.Configuration);
        using var host = builder.Build();

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("Rules:CA1:MinInvalidRecipients", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ca2_Defaults()
    {
        var options = Resolve<Ca2Options>([], (services, configuration) => services.AddCa2Detector(configuration));

        Assert.Equal(TimeSpan.FromMinutes(10), options.WindowDuration);
        Assert.Equal(5, options.Count);
        Assert.Equal(TimeSpan.FromHours(24), options.BlockForDuration);
        Assert.Equal("100.64.0.0/10", Assert.Single(options.SharedNetworks).ToString());
    }

    [Fact]
    public void Ca2_ConfiguredSharedRangesReplaceDefault()
    {
        var options = Resolve<Ca2Options>(
            new() { ["Rules:CA2:SharedRanges:0"] = "10.0.0.0/8", ["Rules:CA2:SharedRanges:1"] = "2001:db8::/32" },
            (services, configuration) => services.AddCa2Detector(configuration));

        Assert.Equal(["10.0.0.0/8", "2001:db8::/32"], options.SharedNetworks.Select(network => network.ToString()));
    }

    [Fact]
    public void Ca2_EmptySharedRangeConfiguresNone()
    {
        var options = Resolve<Ca2Options>(new() { ["Rules:CA2:SharedRanges:0"] = "" }, (services, configuration) => services.AddCa2Detector(configuration));

        Assert.Empty(options.SharedNetworks);
    }

    [Theory]
    [InlineData("Rules:CA2:Window", "ten minutes", "Rules:CA2:Window must be a duration")]
    [InlineData("Rules:CA2:BlockFor", "forever", "Rules:CA2:BlockFor must be a duration")]
    [InlineData("Rules:CA2:SharedRanges:0", "100.64.0.0/33", "Rules:CA2:SharedRanges:0 must be a CIDR range")]
    public async Task Ca2_InvalidValueStopsStart(string key, string value, string expected)
    {
        var exception = await StartAsync(key, value, (services, configuration) => services.AddCa2Detector(configuration));

        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bo1_Defaults()
    {
        var options = Resolve<Bo1Options>([], (services, configuration) => services.AddBo1Detector(configuration));

        Assert.Equal(3, options.EscalateAfter);
        Assert.Equal(TimeSpan.FromHours(1), options.WindowDuration);
        Assert.Equal(TimeSpan.FromHours(24), options.BlockForDuration);
        Assert.Equal("100.64.0.0/10", Assert.Single(options.SharedNetworks).ToString());
    }

    [Fact]
    public void Bo1_ReadsSharedRangesOfCa2()
    {
        var options = Resolve<Bo1Options>(new() { ["Rules:CA2:SharedRanges:0"] = "10.0.0.0/8" }, (services, configuration) => services.AddBo1Detector(configuration));

        Assert.Equal("10.0.0.0/8", Assert.Single(options.SharedNetworks).ToString());
    }

    [Theory]
    [InlineData("Rules:BO1:Window", "an hour", "Rules:BO1:Window must be a duration")]
    [InlineData("Rules:BO1:BlockFor", "-1h", "Rules:BO1:BlockFor must be a duration")]
    [InlineData("Rules:CA2:SharedRanges:0", "not-a-range", "Rules:CA2:SharedRanges:0 must be a CIDR range")]
    public async Task Bo1_InvalidValueStopsStart(string key, string value, string expected)
    {
        var exception = await StartAsync(key, value, (services, configuration) => services.AddBo1Detector(configuration));

        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", exception.Message, StringComparison.Ordinal);
    }

    private static T Resolve<T>(Dictionary<string, string?> settings, Action<IServiceCollection, IConfiguration> add)
        where T : class
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        add(services, configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<T>>().Value;
    }

    /// <summary>Starts a host with one bad setting and returns the exception that stopped it.</summary>
    private async Task<Exception> StartAsync(string key, string value, Action<IServiceCollection, IConfiguration> add)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });
        builder.Services.AddSingleton(_database.Database);
        add(builder.Services, builder.Configuration);
        using var host = builder.Build();
        return await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
    }
}
