using System.Diagnostics;
using System.Text.Json;

namespace Relayguard.IntegrationTests;

/// <summary><c>relayguard classify</c> run as the built command, as an operator would run it.</summary>
public sealed class ClassifyCommandTests
{
    [Fact]
    public async Task Classify_PrintsOneObjectPerFile()
    {
        var folder = Directory.CreateTempSubdirectory("relayguard-classify-").FullName;
        var report = Path.Combine(folder, "report.eml");
        await File.WriteAllTextAsync(report, Bo1Tests.DeliveryReport().ToString());
        var ordinary = Path.Combine(folder, "note.eml");
        await File.WriteAllTextAsync(ordinary, "From: a@example.org\r\nTo: b@example.net\r\nSubject: Lunch\r\n\r\nNoon?\r\n");
        var missing = Path.Combine(folder, "missing.eml");
        var empty = Path.Combine(folder, "empty.eml");
        await File.WriteAllTextAsync(empty, string.Empty);

        var (exitCode, output) = await RunAsync("classify", report, ordinary, missing, empty);

        Assert.Equal(1, exitCode);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(4, lines.Count);
        Assert.Equal(report, lines[0].GetProperty("file").GetString());
        Assert.Equal("delivery-report", lines[0].GetProperty("kind").GetString());
        var recipient = lines[0].GetProperty("recipients")[0];
        Assert.Equal("nobody@customer.test", recipient.GetProperty("address").GetString());
        Assert.Equal("5.1.1", recipient.GetProperty("status").GetString());
        Assert.True(recipient.GetProperty("hard").GetBoolean());
        Assert.Equal("ordinary", lines[1].GetProperty("kind").GetString());
        Assert.Equal(missing, lines[2].GetProperty("file").GetString());
        Assert.True(lines[2].TryGetProperty("error", out _));
        Assert.Contains("is empty", lines[3].GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Classify_AllReadable_Exits0()
    {
        var folder = Directory.CreateTempSubdirectory("relayguard-classify-").FullName;
        var ordinary = Path.Combine(folder, "note.eml");
        await File.WriteAllTextAsync(ordinary, "From: a@example.org\r\nTo: b@example.net\r\nSubject: Lunch\r\n\r\nNoon?\r\n");

        var (exitCode, output) = await RunAsync("classify", ordinary);

        Assert.Equal(0, exitCode);
        Assert.Contains("\"kind\":\"ordinary\"", output, StringComparison.Ordinal);
    }

    internal static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "relayguard.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }
}
