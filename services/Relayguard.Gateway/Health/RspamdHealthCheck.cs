using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Relayguard.Gateway.Scanning;

namespace Relayguard.Gateway.Health;

/// <summary>
/// Rspamd's <c>/ping</c>. A dead scanner makes the gateway degraded, not unready, when it fails open
/// (mail still flows, unscanned), and unready when it fails closed.
/// </summary>
public sealed class RspamdHealthCheck(IHttpClientFactory clients, IOptions<RspamdOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.Url))
        {
            return HealthCheckResult.Healthy("No scanner configured: messages are relayed unscanned.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            using var client = clients.CreateClient(nameof(RspamdHealthCheck));
            using var response = await client.GetAsync(new Uri(new Uri(settings.Url.TrimEnd('/') + "/"), "ping"), timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                return HealthCheckResult.Healthy("Rspamd answers /ping.");
            }

            return Failed(settings, $"Rspamd answered /ping with HTTP {(int)response.StatusCode}.");
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            return Failed(settings, $"Rspamd does not answer /ping: {ex.Message}");
        }
    }

    private static HealthCheckResult Failed(RspamdOptions settings, string description) =>
        settings.FailClosed ? HealthCheckResult.Unhealthy(description) : HealthCheckResult.Degraded(description);
}
