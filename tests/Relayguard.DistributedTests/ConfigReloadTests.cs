using Microsoft.Extensions.Configuration;
using Relayguard.ServiceDefaults;

namespace Relayguard.DistributedTests;

/// <summary>
/// The services read <c>appsettings.json</c> once. A reloading file source watches the content root and every folder
/// below it, and a data folder below it woke the watcher at every SQLite write.
/// </summary>
public sealed class ConfigReloadTests
{
    [Fact]
    public void ServiceHost_FileSources_DoNotReload()
    {
        var builder = ServiceHost.CreateBuilder([], "relayguard-test");

        var files = ((IConfigurationRoot)builder.Configuration).Providers.OfType<FileConfigurationProvider>().ToList();

        Assert.NotEmpty(files);
        Assert.All(files, file => Assert.False(file.Source.ReloadOnChange, $"{file.Source.Path} is watched for changes"));
    }

    [Fact]
    public void ServiceHost_ReloadAskedFor_Reloads()
    {
        var builder = ServiceHost.CreateBuilder(["--hostBuilder:reloadConfigOnChange=true"], "relayguard-test");

        var files = ((IConfigurationRoot)builder.Configuration).Providers.OfType<FileConfigurationProvider>();

        Assert.Contains(files, file => file.Source.ReloadOnChange);
    }
}
