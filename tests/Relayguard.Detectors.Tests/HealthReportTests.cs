using Microsoft.Extensions.Diagnostics.HealthChecks;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Tests;

public sealed class HealthReportTests
{
    /// <summary>Stands for MassTransit's private endpoint record, which prints itself as "Status - description".</summary>
    private sealed record EndpointState(string Status, string Description)
    {
        public override string ToString() => $"{Status} - {Description}";
    }

    [Fact]
    public void Format_EmptyBusReason_NamesEndpoints()
    {
        var endpoints = new Dictionary<string, EndpointState>
        {
            ["rabbitmq://127.0.0.1/gateway-blocks-a"] = new("Unhealthy", "Connection refused"),
            ["rabbitmq://127.0.0.1/relayguard-bus"] = new("Healthy", "ready"),
        };
        var report = Report(("bus", new HealthReportEntry(HealthStatus.Degraded, "Not ready: ", TimeSpan.Zero, null,
            new Dictionary<string, object> { ["Endpoints"] = endpoints })));

        var text = HealthFormatting(report);

        Assert.Equal("Degraded\nbus: Degraded (Not ready; rabbitmq://127.0.0.1/gateway-blocks-a Unhealthy - Connection refused)\n", text);
    }

    [Fact]
    public void Format_HealthyChecks_ListsDescriptions()
    {
        var report = Report(
            ("sqlite", new HealthReportEntry(HealthStatus.Healthy, "/var/lib/relayguard/relayguard.db is readable.", TimeSpan.Zero, null, null)),
            ("bus", new HealthReportEntry(HealthStatus.Healthy, "Ready", TimeSpan.Zero, null,
                new Dictionary<string, object> { ["Endpoints"] = new Dictionary<string, EndpointState> { ["rabbitmq://127.0.0.1/ca1"] = new("Healthy", "ready") } })));

        var text = HealthFormatting(report);

        Assert.Equal("Healthy\nbus: Healthy (Ready)\nsqlite: Healthy (/var/lib/relayguard/relayguard.db is readable.)\n", text);
    }

    [Fact]
    public void Format_NoDescription_UsesException()
    {
        var report = Report(("sqlite", new HealthReportEntry(HealthStatus.Unhealthy, null, TimeSpan.Zero, new IOException("disk I/O error"), null)));

        Assert.Equal("Unhealthy\nsqlite: Unhealthy (disk I/O error)\n", HealthFormatting(report));
    }

    private static string HealthFormatting(HealthReport report) => ServiceDefaultsExtensions.FormatHealthReport(report);

    private static HealthReport Report(params (string Name, HealthReportEntry Entry)[] entries) =>
        new(entries.ToDictionary(e => e.Name, e => e.Entry), TimeSpan.Zero);
}
