using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// What every Relayguard service shares: OpenTelemetry traces and metrics (exported over OTLP when the
/// standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, and scraped by Prometheus at <c>/metrics</c>), logs with
/// trace and span ids (JSON when <c>Logging:Format</c> is <c>json</c>), and health endpoints.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>The build's version with the commit it saw (<c>0.9.0+SHA</c>), the <c>service.version</c> of every span and metric.</summary>
    public static string ServiceVersion { get; } =
        typeof(ServiceDefaultsExtensions).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "unknown";

    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder, string serviceName)
    {
        var configuration = builder.Configuration;
        builder.Logging.ClearProviders();
        builder.Logging.Configure(options => options.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        var format = configuration["Logging:Format"];
        if (!string.IsNullOrEmpty(format) && !format.Equals("json", StringComparison.OrdinalIgnoreCase) && !format.Equals("text", StringComparison.OrdinalIgnoreCase))
        {
            throw new SettingException($"Invalid Logging:Format '{format}': use json, or text (the default, one line per entry).");
        }

        if (string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddJsonConsole(options =>
            {
                options.IncludeScopes = true;
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            builder.Logging.AddConsole(options => options.FormatterName = CompactConsoleFormatter.FormatterName);
            builder.Logging.AddConsoleFormatter<CompactConsoleFormatter, Microsoft.Extensions.Logging.Console.SimpleConsoleFormatterOptions>(options =>
            {
                options.SingleLine = true;
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
        }

        // MassTransit's endpoint set-up and ASP.NET Core's per-request lines drown the product's own logs.
        builder.Logging.AddFilter("MassTransit", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        // IHttpClientFactory logs every failed request at Information with its stack trace. The product's own warning
        // names each failure once already, for example that Rspamd could not scan a message.
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);

        builder.Services.AddKnownKeys("Telemetry:Traces", "Telemetry:SpanFile");
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var spanFile = configuration["Telemetry:SpanFile"];
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] ?? serviceName, serviceVersion: ServiceVersion));

        // Traces are recorded when something exports them (Telemetry:Traces "auto", the default), always ("on") or
        // never ("off"): without an exporter, building every publish, consume and relay activity with its tags cost
        // about a tenth of the gateway's CPU in a profile of bench/relay.sh, for nothing.
        var traces = configuration["Telemetry:Traces"] ?? "auto";
        var record = traces.ToLowerInvariant() switch
        {
            "on" => true,
            "off" => false,
            "auto" => otlp || !string.IsNullOrWhiteSpace(spanFile),
            _ => throw new SettingException($"Invalid Telemetry:Traces '{traces}': use auto, on or off."),
        };
        if (record)
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.AddSource(RelayguardTelemetry.SourceName, "MassTransit");
                tracing.AddAspNetCoreInstrumentation(options => options.Filter = context => !context.Request.Path.StartsWithSegments("/health") && !context.Request.Path.StartsWithSegments("/metrics"));
                tracing.AddHttpClientInstrumentation();
                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }

                if (!string.IsNullOrWhiteSpace(spanFile))
                {
                    tracing.AddProcessor(new SimpleActivityExportProcessor(new SpanFileExporter(spanFile)));
                }
            });
        }

        telemetry
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(RelayguardTelemetry.MeterName, "MassTransit");
                metrics.AddRuntimeInstrumentation();
                metrics.AddAspNetCoreInstrumentation();
                metrics.AddPrometheusExporter();
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        builder.Services.AddHealthChecks();
        return builder;
    }

    /// <summary>Maps <c>/health/live</c> (the process is running), <c>/health/ready</c> (every check passes) and <c>/metrics</c>.</summary>
    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { ResponseWriter = WriteHealthReport });
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    /// <summary>
    /// Writes the overall status on the first line, as the default writer does, then one line per check with its
    /// description, so an operator's <c>curl</c> shows which check failed and why without reading the log.
    /// </summary>
    private static Task WriteHealthReport(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(FormatHealthReport(report));
    }

    /// <summary>
    /// The text of <c>/health/ready</c>. When the bus check fails, MassTransit's description can end in an empty
    /// reason (<c>Not ready: </c>) while the cause sits in its per-endpoint data, so the endpoints that are not
    /// healthy are added to the line.
    /// </summary>
    public static string FormatHealthReport(HealthReport report)
    {
        var text = new System.Text.StringBuilder().Append(report.Status).Append('\n');
        foreach (var (name, entry) in report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            text.Append(name).Append(": ").Append(entry.Status);
            var details = new List<string>();
            var description = (entry.Description ?? entry.Exception?.Message)?.Trim().TrimEnd(':').Trim();
            if (!string.IsNullOrEmpty(description))
            {
                details.Add(description);
            }

            if (entry.Status != HealthStatus.Healthy && entry.Data.TryGetValue("Endpoints", out var endpoints) && endpoints is System.Collections.IDictionary byEndpoint)
            {
                // MassTransit writes each endpoint as "Status - description".
                details.AddRange(byEndpoint.Keys.Cast<object>()
                    .Select(key => (Endpoint: key.ToString(), State: byEndpoint[key]?.ToString() ?? ""))
                    .Where(endpoint => !endpoint.State.StartsWith(nameof(HealthStatus.Healthy), StringComparison.Ordinal))
                    .OrderBy(endpoint => endpoint.Endpoint, StringComparer.Ordinal)
                    .Select(endpoint => $"{endpoint.Endpoint} {endpoint.State.Trim().TrimEnd('-').Trim()}"));
            }

            if (details.Count > 0)
            {
                text.Append(" (").Append(string.Join("; ", details).ReplaceLineEndings(" ")).Append(')');
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}
