using System.Diagnostics;
using Relayguard.DistributedTests.Infrastructure;

namespace Relayguard.DistributedTests;

/// <summary>
/// A service of the distributed mode started with a setting it cannot use: it must stop before it starts, with one
/// line that names the key, and exit code 2. No broker is needed, since nothing connects before the check.
/// </summary>
public sealed class ServiceSettingsTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("relayguard-settings-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Theory]
    [InlineData("Relayguard.Detectors.Bo1.Host", "relayguard-bo1", "Http:Listen", "nonsense", "relayguard-bo1: Invalid Http:Listen 'nonsense': use ADDRESS:PORT")]
    [InlineData("Relayguard.Detectors.Bo1.Host", "relayguard-bo1", "Http:Listen", "127.0.0.1", "relayguard-bo1: Invalid Http:Listen '127.0.0.1': use ADDRESS:PORT")]
    [InlineData("Relayguard.Operations.Host", "relayguard-operations", "Bus:PrefetchCount", "lots", "relayguard-operations: Invalid Bus:PrefetchCount 'lots': use a whole number.")]
    [InlineData("Relayguard.Operations.Host", "relayguard-operations", "Bus:RedeliveryIntervals:0", "soon", "relayguard-operations: Invalid Bus:RedeliveryIntervals:0 'soon'")]
    [InlineData("Relayguard.Gateway.Host", "relayguard-gateway", "Gateway:QueueExpiry", "never", "relayguard-gateway: Invalid Gateway:QueueExpiry 'never'")]
    [InlineData("Relayguard.Gateway.Host", "relayguard-gateway", "Gateway:CatchUp:Timeout", "abc", "relayguard-gateway: Invalid Gateway:CatchUp:Timeout 'abc'")]
    [InlineData("Relayguard.Gateway.Host", "relayguard-gateway", "Smtp:RecipientHashKey", "notbase64!!", "relayguard-gateway: Invalid Smtp:RecipientHashKey: it must be base64")]
    [InlineData("Relayguard.Detectors.Bo1.Host", "relayguard-bo1", "Logging:Format", "xml", "relayguard-bo1: Invalid Logging:Format 'xml'")]
    public async Task Service_WrongSetting_Exits2NamingIt(string project, string assembly, string key, string value, string expected)
    {
        var settings = Settings();
        settings[key] = value;

        var (exitCode, error) = await RunAsync(Repository.HostDll(project, assembly), settings);

        Assert.Equal(2, exitCode);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("Relayguard.Detectors.Ca2.Host", "relayguard-ca2")]
    [InlineData("Relayguard.Gateway.Host", "relayguard-gateway")]
    public async Task Service_DataFolderUnderFile_Exits2NamingIt(string project, string assembly)
    {
        var file = Path.Combine(_data, "not-a-folder");
        await File.WriteAllTextAsync(file, "a file where the data folder should be");
        var settings = Settings();
        settings["Data:Directory"] = Path.Combine(file, "data");

        var (exitCode, error) = await RunAsync(Repository.HostDll(project, assembly), settings);

        Assert.Equal(2, exitCode);
        Assert.StartsWith($"{assembly}: Invalid Data:Directory '{Path.Combine(file, "data")}': the folder cannot be created", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("Relayguard.Operations.Host", "relayguard-operations", "Operations:Listen")]
    [InlineData("Relayguard.Gateway.Host", "relayguard-gateway", "Smtp:Listen")]
    public async Task Service_AddressInUse_Exits4NamingIt(string project, string assembly, string key)
    {
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        var occupied = (System.Net.IPEndPoint)holder.LocalEndpoint;
        var settings = Settings();
        settings[key] = occupied.ToString();

        var (exitCode, error) = await RunAsync(Repository.HostDll(project, assembly), settings);

        Assert.Equal(4, exitCode);
        Assert.Equal($"{assembly}: {key} {occupied} is already in use. Stop the other process or change the address.", error.Trim());
    }

    /// <summary>
    /// Returns settings a service starts with: free loopback ports, this test's folder and a broker address where no
    /// broker listens.
    /// </summary>
    private Dictionary<string, string> Settings() => new()
    {
        ["Bus:RabbitMq"] = $"amqp://guest:guest@127.0.0.1:{Ports.Free()}/",
        ["Data:Directory"] = _data,
        ["Http:Listen"] = $"127.0.0.1:{Ports.Free()}",
        ["Operations:Listen"] = $"127.0.0.1:{Ports.Free()}",
        ["Smtp:Listen"] = $"127.0.0.1:{Ports.Free()}",
    };

    internal static async Task<(int ExitCode, string Error)> RunAsync(string dll, Dictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(dll)} did not stop within 60 seconds: {await output}");
        }

        await output;
        return (process.ExitCode, await error);
    }
}
