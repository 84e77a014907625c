using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Relayguard.Operations;
using Relayguard.Operations.Tokens;
using Relayguard.ServiceDefaults;

namespace Relayguard.Cli;

/// <summary><c>relayguard run</c>: the embedded mode in the foreground until Ctrl+C or SIGTERM.</summary>
public static class RunCommand
{
    private static readonly (string Option, string Key)[] OptionKeys =
    [
        ("smtp", "Smtp:Listen"),
        ("smtps", "Smtp:ImplicitTlsListen"),
        ("tls-cert", "Tls:CertificateFile"),
        ("tls-key", "Tls:KeyFile"),
        ("upstream", "Relay:Upstream"),
        ("dsn-smtp", "Dsn:Listen"),
        ("auth", "Auth:Provider"),
        ("ops", "Operations:Listen"),
        ("help-listen", "Help:Listen"),
        ("rspamd", "Rspamd:Url"),
        ("data", "Data:Directory"),
    ];

    public static async Task<int> RunAsync(CommandLine command, string[] rawArgs)
    {
        command.AllowOnly([.. OptionKeys.Select(o => o.Option), "trusted", "allow-plaintext-auth"]);
        if (command.Words.Count > 1)
        {
            throw new UsageException($"Unexpected argument '{command.Words[1]}': 'relayguard run' takes options only.");
        }

        var settings = ToSettings(command);
        var configurationArgs = command.ConfigurationOverrides.Select(kv => $"--{kv.Key}={kv.Value}").ToArray();

        Microsoft.AspNetCore.Builder.WebApplication app;
        try
        {
            app = EmbeddedHost.Build(configurationArgs, settings);
        }
        catch (FormatException ex)
        {
            await Console.Error.WriteLineAsync($"relayguard: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (Exception ex) when (StartupFailure.Describe(ex) is { } problems)
        {
            foreach (var problem in problems)
            {
                await Console.Error.WriteLineAsync($"relayguard: {problem}");
            }

            return ExitCodes.Usage;
        }

        // A misspelt key often explains a failed check, so the unknown keys come first.
        var unknown = KnownSettings.FindUnknown(app.Configuration, app.Services.GetServices<KnownSetting>());

        // Checked before the host starts: a host that fails while starting logs the exception with its stack trace,
        // which would bury the line that names the setting.
        try
        {
            StartupFailure.ValidateOptions(app.Services);
        }
        catch (Exception ex) when (StartupFailure.Describe(ex) is { } problems)
        {
            foreach (var problem in unknown.Concat(problems))
            {
                await Console.Error.WriteLineAsync($"relayguard: {problem}");
            }

            return await FailedStartAsync(app, ExitCodes.Usage);
        }

        var listeners = Listeners(app.Configuration).ToList();
        if (FindSharedAddress(listeners) is var (firstKey, secondKey, shared))
        {
            await Console.Error.WriteLineAsync($"relayguard: {firstKey} and {secondKey} both listen on {shared}. Give each listener a port of its own.");
            return await FailedStartAsync(app, ExitCodes.Usage);
        }

        KnownSettings.Warn(unknown, app.Logger);
        var dataDirectory = app.Configuration["Data:Directory"]!;
        var (dataLock, lockProblem, lockExitCode) = DataDirectoryLock.Acquire(
            dataDirectory,
            "Data:Directory (--data)",
            "another relayguard process",
            "Stop it, or give this one a folder of its own with --data.");
        using var heldLock = dataLock;
        if (lockProblem is not null)
        {
            await Console.Error.WriteLineAsync($"relayguard: {lockProblem}");
            return lockExitCode;
        }

        if (StartupFailure.FindAddressInUse(listeners) is var (key, address))
        {
            await Console.Error.WriteLineAsync($"relayguard: {key} {address} is already in use. {AddressInUseFix}");
            heldLock?.Dispose();
            return await FailedStartAsync(app, ExitCodes.AddressInUse);
        }

        var tokenPath = OperatorTokens.EnsureInitialToken(dataDirectory, app.Services.GetRequiredService<SqliteDatabase>());
        if (tokenPath is not null)
        {
            app.Logger.LogInformation("Wrote the first operator token to {TokenPath}; send it as 'Authorization: Bearer TOKEN' or point the CLI at it with --token-file.", tokenPath);
        }

        var upstream = app.Configuration["Relay:Upstream"];
        app.Logger.LogInformation(
            "Accepted mail goes to {Destination}.",
            string.IsNullOrWhiteSpace(upstream) ? $"the pickup folder {Path.Combine(dataDirectory, "pickup")} (no --upstream)" : $"the upstream MTA at {upstream}");

        try
        {
            await app.RunAsync();
            return ExitCodes.Ok;
        }
        catch (Exception ex) when (StartupFailure.Describe(ex) is { } problems)
        {
            foreach (var problem in problems)
            {
                await Console.Error.WriteLineAsync($"relayguard: {problem}");
            }

            heldLock?.Dispose();
            return await FailedStartAsync(app, ExitCodes.Usage);
        }
        catch (IOException ex) when (StartupFailure.IsAddressInUse(ex))
        {
            // Taken between the check above and the listener's own bind.
            await Console.Error.WriteLineAsync($"relayguard: {ex.Message.TrimEnd('.')}. {AddressInUseFix}");
            heldLock?.Dispose();
            return await FailedStartAsync(app, ExitCodes.AddressInUse);
        }
    }

    /// <summary>
    /// Closes the host of a start that failed before it served anything and, when this run created the data folder,
    /// removes the folder, so a mistake on the command line leaves no half-made installation behind.
    /// </summary>
    private static async Task<int> FailedStartAsync(Microsoft.AspNetCore.Builder.WebApplication app, int exitCode)
    {
        var folder = app.Services.GetRequiredService<DataFolder>();
        app.Services.GetRequiredService<SqliteDatabase>().Dispose();
        await app.DisposeAsync();
        if (folder.Created)
        {
            // Another run that started on the same new folder at the same time holds its lock: the folder is its now.
            var (probe, inUse, _) = DataDirectoryLock.Acquire(folder.Path, "Data:Directory (--data)", "another relayguard process", string.Empty);
            using (probe)
            {
                if (inUse is null)
                {
                    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                    try
                    {
                        Directory.Delete(folder.Path, recursive: true);
                    }
                    catch (IOException)
                    {
                        // Left for the operator, because another process has a file in it open.
                    }
                }
            }
        }

        return exitCode;
    }

    private const string AddressInUseFix =
        "Stop the other process (perhaps another 'relayguard run') or change the address with --smtp, --smtps, --ops, --dsn-smtp or --help-listen.";

    /// <summary>The addresses <c>run</c> listens on, with the setting and option of each; values that do not parse are left to the options validation.</summary>
    private static IEnumerable<(string Key, System.Net.IPEndPoint Address)> Listeners(IConfiguration configuration)
    {
        // The options of run whose setting is a listen address, taken from the option table.
        foreach (var (option, key) in OptionKeys.Where(pair => pair.Key.EndsWith("Listen", StringComparison.Ordinal)))
        {
            var value = configuration[key] ?? (key == "Smtp:Listen" ? new Relayguard.Gateway.GatewayOptions().Listen : null);
            if (!string.IsNullOrEmpty(value) && System.Net.IPEndPoint.TryParse(value, out var address))
            {
                yield return ($"{key} (--{option})", address);
            }
        }
    }

    /// <summary>
    /// Finds two listeners of this process on one port of one address, or on one port of <c>0.0.0.0</c> and an IPv4
    /// address, or of <c>[::]</c>, which the listeners bind dual-mode, and any address. The second bind would fail with
    /// "address in use", which would send the operator looking for another process.
    /// </summary>
    private static (string First, string Second, System.Net.IPEndPoint Address)? FindSharedAddress(IReadOnlyList<(string Key, System.Net.IPEndPoint Address)> listeners)
    {
        for (var i = 0; i < listeners.Count; i++)
        {
            for (var j = i + 1; j < listeners.Count; j++)
            {
                var (a, b) = (listeners[i].Address, listeners[j].Address);
                var anyAddress = a.Address.Equals(System.Net.IPAddress.IPv6Any) || b.Address.Equals(System.Net.IPAddress.IPv6Any)
                    || (a.AddressFamily == b.AddressFamily && (a.Address.Equals(System.Net.IPAddress.Any) || b.Address.Equals(System.Net.IPAddress.Any)));
                if (a.Port != 0 && a.Port == b.Port && (a.Address.Equals(b.Address) || anyAddress))
                {
                    return (listeners[i].Key, listeners[j].Key, a);
                }
            }
        }

        return null;
    }

    /// <summary>Turns the named options of <c>run</c> into configuration keys.</summary>
    public static Dictionary<string, string?> ToSettings(CommandLine command)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (option, key) in OptionKeys)
        {
            var value = command.Option(option);
            if (value is not null)
            {
                settings[key] = value;
            }
        }

        var trusted = command.All("trusted");
        for (var i = 0; i < trusted.Count; i++)
        {
            settings[$"Smtp:Trusted:{i}"] = trusted[i];
        }

        if (command.Flag("allow-plaintext-auth"))
        {
            settings["Smtp:AllowPlaintextAuth"] = "true";
        }

        return settings;
    }
}
