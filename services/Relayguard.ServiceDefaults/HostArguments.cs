namespace Relayguard.ServiceDefaults;

/// <summary>Command-line arguments for the hosts' builders.</summary>
public static class HostArguments
{
    /// <summary>The setting that turns off the reload of <c>appsettings.json</c> when the file changes.</summary>
    public const string NoConfigReload = "--hostBuilder:reloadConfigOnChange=false";

    /// <summary>
    /// Returns <paramref name="args"/> with <see cref="NoConfigReload"/> in front, for
    /// <c>WebApplication.CreateBuilder</c>. To reload <c>appsettings.json</c>, the builder watches its content root
    /// and every folder below it with inotify. The data folder usually lies below it (<c>./data</c> of
    /// <c>relayguard run</c>), so every SQLite write woke the watcher, which cost a detector a quarter of its
    /// events per second. Settings are read once at start; a change takes effect at the next start.
    /// An argument given after it, such as <c>--hostBuilder:reloadConfigOnChange=true</c>, still wins.
    /// </summary>
    public static string[] WithoutConfigReload(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return [NoConfigReload, .. args];
    }
}
