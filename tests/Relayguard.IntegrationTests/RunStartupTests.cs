using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Relayguard.ServiceDefaults;
using Relayguard.IntegrationTests.Infrastructure;

namespace Relayguard.IntegrationTests;

/// <summary>
/// <c>relayguard run</c> with a setting it cannot use: it must stop before it starts, with one line per problem that
/// names the setting, and without the stack trace a failed host start logs.
/// </summary>
public sealed class RunStartupTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("relayguard-startup-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    /// <summary>
    /// A reloading <c>appsettings.json</c> watches the working folder and every folder below it, the data folder
    /// included, and every SQLite write then woke the watcher.
    /// </summary>
    [Fact]
    public async Task EmbeddedHost_FileSources_DoNotReload()
    {
        await using var app = Relayguard.Cli.EmbeddedHost.Build([], new Dictionary<string, string?> { ["Data:Directory"] = _data });

        var files = ((IConfigurationRoot)app.Configuration).Providers.OfType<FileConfigurationProvider>().ToList();

        Assert.NotEmpty(files);
        Assert.All(files, file => Assert.False(file.Source.ReloadOnChange, $"{file.Source.Path} is watched for changes"));
    }

    /// <summary>
    /// The services skip keys of the sections they do not read only when the list of the product's sections names
    /// them, so every section the embedded host reads must be on it.
    /// </summary>
    [Fact]
    public async Task EmbeddedHost_Settings_AreProductPaths()
    {
        await using var app = Relayguard.Cli.EmbeddedHost.Build([], new Dictionary<string, string?> { ["Data:Directory"] = _data });

        var paths = app.Services.GetServices<KnownSetting>().Select(s => s.Path).ToList();

        Assert.NotEmpty(paths);
        Assert.All(paths, path => Assert.Contains(
            KnownSettings.ProductPaths,
            product => string.Equals(path, product, StringComparison.OrdinalIgnoreCase) || path.StartsWith(product + ":", StringComparison.OrdinalIgnoreCase)));
    }

    [Theory]
    [InlineData("--Rules:CA1:WarnAt=abc", "Invalid Rules:CA1:WarnAt 'abc': use a number.")]
    [InlineData("--Limits:MessageSize=big", "Invalid Limits:MessageSize 'big': use a whole number.")]
    [InlineData("--Rspamd:FailClosed=maybe", "Invalid Rspamd:FailClosed 'maybe': use true or false.")]
    public async Task Run_UnconvertibleSetting_Exits2(string setting, string expected)
    {
        var result = await RunAsync(setting);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"relayguard: {expected}", result.Error.Trim());
        Assert.DoesNotContain("   at ", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_InvalidSetting_NamesUnknownKeyFirst()
    {
        var result = await RunAsync("--Smtp:Lisen=127.0.0.1:2525", "--Limits:MessageSize=big");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            [
                "relayguard: Unknown setting Smtp:Lisen is ignored; did you mean Smtp:Listen?",
                "relayguard: Invalid Limits:MessageSize 'big': use a whole number.",
            ],
            result.Error.Trim().Split('\n'));
    }

    [Fact]
    public async Task Run_SettingsFileNotJson_Exits2()
    {
        var folder = Path.Combine(_data, "working");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "appsettings.json"), "{ \"Smtp\": { \"Listen\": \"127.0.0.1:2525\" \n");

        var result = await CliRunner.RunAsync(["run", "--smtp", FreeAddress(), "--ops", FreeAddress(), "--data", _data], workingDirectory: folder);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"relayguard: Invalid settings file '{Path.Combine(folder, "appsettings.json")}': ", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
    }

    [Fact]
    public async Task Run_DataFolderInUse_Exits4()
    {
        using var holder = DataDirectoryLock.TryAcquire(_data, out _);
        Assert.NotNull(holder);

        var result = await RunAsync();

        Assert.Equal(4, result.ExitCode);
        Assert.Equal(
            $"relayguard: Data:Directory (--data) '{_data}' is in use by another relayguard process (pid {Environment.ProcessId}). Stop it, or give this one a folder of its own with --data.",
            result.Error.Trim());
    }

    [Fact]
    public async Task Run_CertificateNotPem_Exits2()
    {
        var file = Path.Combine(_data, "garbage.pem");
        await File.WriteAllTextAsync(file, "garbage\n");

        var result = await RunAsync("--tls-cert", file, "--tls-key", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"Tls:CertificateFile '{file}' (--tls-cert) and Tls:KeyFile '{file}' (--tls-key) could not be loaded", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error + result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_KeyFileMissing_NamesIt()
    {
        var certificate = Path.Combine(_data, "cert.pem");
        await File.WriteAllTextAsync(certificate, "garbage\n");
        var key = Path.Combine(_data, "missing.key");

        var result = await RunAsync("--tls-cert", certificate, "--tls-key", key);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"relayguard: Tls:KeyFile (--tls-key) '{key}' does not exist.", result.Error.Trim());
    }

    [Fact]
    public async Task Run_SmtpAddressInUse_Exits4()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var takenAddress = (IPEndPoint)holder.LocalEndpoint;

        var result = await CliRunner.RunAsync(["run", "--smtp", takenAddress.ToString(), "--ops", FreeAddress(), "--data", _data]);

        Assert.Equal(4, result.ExitCode);
        Assert.StartsWith($"relayguard: Smtp:Listen (--smtp) {takenAddress} is already in use.", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.DoesNotContain("   at ", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_TwoListenersOneAddress_Exits2()
    {
        var address = FreeAddress();

        var result = await CliRunner.RunAsync(["run", "--smtp", address, "--smtps", address, "--ops", FreeAddress(), "--data", _data]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"relayguard: Smtp:Listen (--smtp) and Smtp:ImplicitTlsListen (--smtps) both listen on {address}. Give each listener a port of its own.", result.Error.Trim());
    }

    [Theory]
    [InlineData("")]
    [InlineData("mail example")]
    [InlineData("-mail.example.net")]
    public async Task Run_InvalidHostName_Exits2NamingKey(string hostName)
    {
        var result = await RunAsync($"--Smtp:HostName={hostName}");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"relayguard: Invalid Smtp:HostName '{hostName}'", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnknownLogFormat_Exits2()
    {
        var result = await RunAsync("--Logging:Format=xml");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("relayguard: Invalid Logging:Format 'xml': use json, or text (the default, one line per entry).", result.Error.Trim());
    }

    [Fact]
    public async Task Run_TrustedWithEmptyAccount_Exits2()
    {
        var result = await RunAsync("--trusted", "10.0.0.0/8=");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("the account after '=' is missing", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SettingError_NewDataFolderRemoved()
    {
        var folder = Path.Combine(_data, "new");

        var result = await CliRunner.RunAsync(["run", "--smtp", FreeAddress(), "--ops", FreeAddress(), "--data", folder, "--Smtp:HostName=mail example"]);

        Assert.Equal(2, result.ExitCode);
        Assert.False(Directory.Exists(folder), "The failed start left the data folder it created.");
    }

    [Fact]
    public async Task Run_InvalidOpsAddress_NoDataFolderMade()
    {
        var folder = Path.Combine(_data, "new");

        var result = await CliRunner.RunAsync(["run", "--smtp", FreeAddress(), "--ops", "localhost", "--data", folder]);

        Assert.Equal(2, result.ExitCode);
        Assert.False(Directory.Exists(folder), "The failed start made a data folder.");
    }

    [Fact]
    public async Task Run_SettingError_ExistingDataFolderKept()
    {
        var kept = Path.Combine(_data, "notes.txt");
        await File.WriteAllTextAsync(kept, "the operator's own file");

        var result = await RunAsync("--Smtp:HostName=mail example");

        Assert.Equal(2, result.ExitCode);
        Assert.True(File.Exists(kept));
    }

    private Task<CliResult> RunAsync(params string[] args) =>
        CliRunner.RunAsync(["run", "--smtp", FreeAddress(), "--ops", FreeAddress(), "--data", _data, .. args]);

    /// <summary>A loopback address with a port that was free a moment ago.</summary>
    private static string FreeAddress()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return probe.LocalEndpoint.ToString()!;
    }
}
