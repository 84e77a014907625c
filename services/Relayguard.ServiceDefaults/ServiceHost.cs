using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// What every service host of the distributed mode shares beyond <see cref="ServiceDefaultsExtensions"/>: the
/// configuration sources, the HTTP listener and the state store.
/// </summary>
public static class ServiceHost
{
    /// <summary>
    /// Creates the builder of one service. Configuration comes from <c>appsettings.json</c> beside the program and in
    /// the working folder, environment variables (<c>Bus__RabbitMq</c> or <c>RELAYGUARD_Bus__RabbitMq</c>) and the command
    /// line (<c>--Bus:RabbitMq=...</c>), later sources winning. The HTTP listener (health, metrics) is
    /// <paramref name="listenKey"/>, default <paramref name="defaultListen"/>.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args, string serviceName, string listenKey = "Http:Listen", string defaultListen = "127.0.0.1:8080")
    {
        DurationConverter.Register();

        // A wrong setting read while the service is being put together, before RunAsync can catch it, ends the process
        // with the same one line as one found at start, instead of a crash with a stack trace.
        AppDomain.CurrentDomain.UnhandledException += (_, failure) =>
        {
            if (failure.ExceptionObject is Exception exception && StartupFailure.Describe(exception) is { } problems)
            {
                foreach (var problem in problems)
                {
                    Console.Error.WriteLine($"{serviceName}: {problem}");
                }

                Environment.Exit(2);
            }
        };

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = HostArguments.WithoutConfigReload(args), ContentRootPath = AppContext.BaseDirectory });

        // appsettings.json in the working folder too (the systemd units run in /etc/relayguard), as relayguard run reads it.
        var workingSettings = Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json");
        if (!string.Equals(Path.GetFullPath(workingSettings), Path.Combine(AppContext.BaseDirectory, "appsettings.json"), StringComparison.Ordinal))
        {
            builder.Configuration.AddJsonFile(workingSettings, optional: true);
            builder.Configuration.AddEnvironmentVariables();
        }

        builder.Configuration.AddEnvironmentVariables("RELAYGUARD_");
        builder.Configuration.AddCommandLine(args);
        builder.AddServiceDefaults(serviceName);

        // Kestrel reads a host it cannot parse as every interface, and a missing port as 80: check the value first.
        var listen = builder.Configuration[listenKey] ?? defaultListen;
        if (!System.Net.IPEndPoint.TryParse(listen, out var endPoint) || endPoint.Port == 0 || !listen.Contains(':', StringComparison.Ordinal)
            || (endPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !listen.StartsWith('[')))
        {
            var message = $"Invalid {listenKey} '{listen}': use ADDRESS:PORT, for example {defaultListen} or [::1]:{defaultListen.Split(':')[^1]}.";
            builder.Services.AddOptions<Microsoft.Extensions.Hosting.HostOptions>().Validate(_ => false, message).ValidateOnStart();
            listen = defaultListen;
        }

        builder.Configuration[listenKey] = listen;
        builder.Services.AddKnownKeys(listenKey);
        builder.WebHost.UseUrls($"http://{listen}");

        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>
    /// Builds the service, maps its health and metrics endpoints and whatever <paramref name="configure"/> adds, and runs
    /// it until it stops. A wrong setting ends it before the start with one line per problem on standard error, naming
    /// the key and the fix, and exit code 2; an address in use with exit code 4. Any other failure propagates with its
    /// stack trace.
    /// </summary>
    public static async Task<int> RunAsync(WebApplicationBuilder builder, string serviceName, Action<WebApplication>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        await using var app = builder.Build();
        IReadOnlyList<string> unknown = [];
        try
        {
            unknown = KnownSettings.FindUnknown(app.Configuration, app.Services.GetServices<KnownSetting>());
            StartupFailure.ValidateOptions(app.Services);
            KnownSettings.Warn(unknown, app.Logger);

            // Checked before the start: a host that fails to bind logs the exception with its stack trace first.
            if (StartupFailure.FindAddressInUse(Listeners(app.Configuration)) is var (key, address))
            {
                await Console.Error.WriteLineAsync($"{serviceName}: {key} {address} is already in use. Stop the other process or change the address.");
                return 4;
            }

            app.MapServiceDefaults();
            configure?.Invoke(app);
            await app.RunAsync();
            return StoppedFor(serviceName) ?? 0;
        }
        catch (OperationCanceledException) when (StartupFailure.StopReason is not null)
        {
            // The service stopped itself while the host was still starting.
            return StoppedFor(serviceName) ?? StartupFailure.StopExitCode;
        }
        catch (Exception exception) when (StartupFailure.Describe(exception) is { } problems)
        {
            // A misspelt key often explains a failed check, so the unknown keys come first.
            foreach (var problem in unknown.Concat(problems))
            {
                await Console.Error.WriteLineAsync($"{serviceName}: {problem}");
            }

            return 2;
        }
        catch (IOException exception) when (StartupFailure.IsAddressInUse(exception))
        {
            await Console.Error.WriteLineAsync($"{serviceName}: {exception.Message.TrimEnd('.')}. Stop the other process or change the address.");
            return 4;
        }
    }

    /// <summary>Prints why the service stopped itself, if it did, and returns its exit code; null when it did not.</summary>
    private static int? StoppedFor(string serviceName)
    {
        if (StartupFailure.StopReason is not { } reason)
        {
            return null;
        }

        Console.Error.WriteLine($"{serviceName}: {reason}");
        return StartupFailure.StopExitCode;
    }

    /// <summary>Returns the configured listen addresses (every key that ends in <c>Listen</c>) that parse as ADDRESS:PORT.</summary>
    private static IEnumerable<(string Key, System.Net.IPEndPoint Address)> Listeners(IConfiguration configuration)
    {
        foreach (var (key, value) in configuration.AsEnumerable())
        {
            if (value is not null && key.EndsWith("Listen", StringComparison.OrdinalIgnoreCase)
                && System.Net.IPEndPoint.TryParse(value, out var address) && address.Port != 0)
            {
                yield return (key, address);
            }
        }
    }

    /// <summary>Registers the SQLite file of <c>Store:Sqlite</c>, by default <c>relayguard.db</c> in <c>Data:Directory</c>.</summary>
    public static SqliteDatabase AddSqliteStore(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var dataDirectory = Path.GetFullPath(builder.Configuration["Data:Directory"] ?? "./data");
        builder.Configuration["Data:Directory"] = dataDirectory;
        try
        {
            // Made even when Store:Sqlite puts the file elsewhere: the gateway keeps its instance id here.
            PrivateDirectory.Create(dataDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SettingException($"Invalid Data:Directory '{dataDirectory}': the folder cannot be created ({ex.Message.TrimEnd('.')}). Give a folder that this user may write.", ex);
        }

        var path = builder.Configuration[$"{StoreOptions.SectionName}:Sqlite"];
        var database = string.IsNullOrWhiteSpace(path)
            ? SqliteDatabase.OpenConfigured(Path.Combine(dataDirectory, "relayguard.db"), $"Data:Directory '{dataDirectory}'")
            : SqliteDatabase.OpenConfigured(path, $"{StoreOptions.SectionName}:Sqlite '{path}'");
        ProcessedEvents.EnsureSchema(database);
        builder.Services.AddSingleton(database);
        builder.Services.AddKnownKeys("Data:Directory", $"{StoreOptions.SectionName}:Sqlite");
        return database;
    }
}
