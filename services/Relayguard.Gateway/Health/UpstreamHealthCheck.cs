using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Relayguard.Gateway.Relay;

namespace Relayguard.Gateway.Health;

/// <summary>Ready only while the upstream MTA accepts TCP connections (always ready in pickup mode).</summary>
public sealed class UpstreamHealthCheck(IOptions<RelayOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var upstream = options.Value.Upstream;
        if (string.IsNullOrWhiteSpace(upstream))
        {
            return HealthCheckResult.Healthy("No upstream: messages go to the pickup folder.");
        }

        var (host, port) = Endpoints.ParseHostPort(upstream, "Relay:Upstream");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, timeout.Token);
            return HealthCheckResult.Healthy($"Upstream {upstream} accepts connections.");
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"Upstream {upstream} does not accept connections: {ex.Message}");
        }
    }
}
