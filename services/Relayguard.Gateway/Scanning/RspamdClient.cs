using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Scanning;

/// <summary>
/// Asks Rspamd's <c>POST /checkv2</c> for a verdict, with the envelope in its request headers. A timeout and a
/// circuit breaker keep a slow or dead scanner from holding every transaction.
/// </summary>
public sealed partial class RspamdClient
{
    private readonly HttpClient _http;
    private readonly RspamdOptions _options;
    private readonly ILogger<RspamdClient> _logger;
    private readonly ResiliencePipeline _pipeline;

    public RspamdClient(HttpClient http, IOptions<RspamdOptions> options, ILogger<RspamdClient> logger)
    {
        _http = http;
        _options = options.Value;
        _logger = logger;
        _pipeline = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 1.0,
                MinimumThroughput = Math.Max(2, _options.BreakAfterFailures),
                SamplingDuration = TimeSpan.FromSeconds(60),
                BreakDuration = _options.BreakFor,
                ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>().Handle<TimeoutRejectedException>().Handle<JsonException>(),
            })
            .AddTimeout(_options.Timeout)
            .Build();
    }

    public bool Enabled => !string.IsNullOrWhiteSpace(_options.Url);

    public async Task<ScanResult> ScanAsync(Stream message, long size, ScanEnvelope envelope, CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return ScanResult.NotScanned();
        }

        if (size > _options.MaxScanSize)
        {
            return ScanResult.NotScanned($"message of {size} octets is above Rspamd:MaxScanSize");
        }

        using var activity = RelayguardTelemetry.Source.StartActivity("spam-check", ActivityKind.Client);
        activity?.SetTag("relayguard.message_id", envelope.QueueId);
        var started = Stopwatch.GetTimestamp();
        ScanResult result;
        try
        {
            result = await _pipeline.ExecuteAsync(async token => await CheckAsync(message, envelope, token), cancellationToken);
            RelayguardTelemetry.ScanDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or JsonException)
        {
            LogScanFailed(_logger, envelope.QueueId, ex.GetType().Name, ex.Message);
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            result = ScanResult.NotScanned(ex.Message);
        }

        RelayguardTelemetry.ScanActions.Add(1, RelayguardTelemetry.Tag("action", result.Action));
        activity?.SetTag("relayguard.spam_action", result.Action);
        activity?.SetTag("relayguard.spam_score", result.Score);
        return result;
    }

    private async Task<ScanResult> CheckAsync(Stream message, ScanEnvelope envelope, CancellationToken cancellationToken)
    {
        message.Position = 0;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(_options.Url!.TrimEnd('/') + "/"), "checkv2"));
        var content = new StreamContent(message);
        content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        request.Content = content;
        request.Headers.TryAddWithoutValidation("IP", envelope.ClientIp);
        request.Headers.TryAddWithoutValidation("From", envelope.From);
        foreach (var recipient in envelope.Recipients)
        {
            request.Headers.TryAddWithoutValidation("Rcpt", recipient);
        }

        if (envelope.User is not null)
        {
            request.Headers.TryAddWithoutValidation("User", envelope.User);
        }

        if (envelope.Helo is not null)
        {
            request.Headers.TryAddWithoutValidation("Helo", envelope.Helo);
        }

        request.Headers.TryAddWithoutValidation("Queue-Id", envelope.QueueId);
        using var response = await _http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"Rspamd answered HTTP {(int)response.StatusCode}", null, response.StatusCode);
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var json = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        var root = json.RootElement;
        var action = root.TryGetProperty("action", out var a) ? a.GetString() ?? SpamActions.NoAction : SpamActions.NoAction;
        double? score = root.TryGetProperty("score", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetDouble() : null;
        double? required = root.TryGetProperty("required_score", out var r) && r.ValueKind == JsonValueKind.Number ? r.GetDouble() : null;
        var symbols = new List<(string Name, double Score)>();
        if (root.TryGetProperty("symbols", out var symbolMap) && symbolMap.ValueKind == JsonValueKind.Object)
        {
            foreach (var symbol in symbolMap.EnumerateObject())
            {
                var symbolScore = symbol.Value.TryGetProperty("score", out var ss) && ss.ValueKind == JsonValueKind.Number ? ss.GetDouble() : 0;
                symbols.Add((symbol.Name, symbolScore));
            }
        }

        var top = symbols.OrderByDescending(x => x.Score).Take(5).Select(x => $"{x.Name}({x.Score.ToString("0.##", CultureInfo.InvariantCulture)})").ToList();
        return new ScanResult(action, score, required, top, null);
    }

    [LoggerMessage(EventId = 1411, Level = LogLevel.Warning, Message = "Rspamd could not scan message {MessageId}: {ErrorType}: {Error}")]
    private static partial void LogScanFailed(ILogger logger, string messageId, string errorType, string error);
}
