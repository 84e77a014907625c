using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Webhooks;

/// <summary>
/// Sends one event to one receiver as a signed HTTP POST, retrying connection failures, timeouts, 408, 429 and 5xx
/// replies with exponential backoff (Polly). Any 2xx reply counts as delivered.
/// </summary>
public sealed class WebhookSender
{
    public const string HttpClientName = "relayguard-webhooks";

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookSender> _logger;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public WebhookSender(IHttpClientFactory httpClientFactory, IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookSender> logger)
    {
        _httpClientFactory = httpClientFactory;
        _time = time;
        _logger = logger;
        var settings = options.Value;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };
        if (settings.Retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .Handle<OperationCanceledException>()
                    .HandleResult(response => IsTransient(response.StatusCode)),
                MaxRetryAttempts = settings.Retries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = Durations.Parse(settings.RetryDelay),
                MaxDelay = TimeSpan.FromMinutes(1),
                OnRetry = arguments =>
                {
                    var url = arguments.Context.Properties.GetValue(UrlKey, string.Empty);
                    var eventId = arguments.Context.Properties.GetValue(EventIdKey, Guid.Empty);
                    var failure = arguments.Outcome.Exception?.Message ?? $"HTTP {(int)arguments.Outcome.Result!.StatusCode}";
                    WebhooksLog.Retrying(_logger, eventId, url, arguments.AttemptNumber + 1, settings.Retries, Durations.Format(arguments.RetryDelay), failure);
                    return ValueTask.CompletedTask;
                },
            });
        }

        // Added after the retry, so the timeout applies to each attempt rather than to all of them.
        _pipeline = builder.AddTimeout(Durations.Parse(settings.Timeout)).Build();
    }

    private static ResiliencePropertyKey<string> UrlKey { get; } = new("relayguard.webhook.url");

    private static ResiliencePropertyKey<Guid> EventIdKey { get; } = new("relayguard.webhook.event-id");

    /// <summary>Delivers the event. Returns null when a 2xx reply came, otherwise why the last attempt failed.</summary>
    public async Task<string?> SendAsync(WebhookEndpointOptions endpoint, WebhookItem item, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(item.Body);
        var client = _httpClientFactory.CreateClient(HttpClientName);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(UrlKey, endpoint.Url);
        context.Properties.Set(EventIdKey, item.EventId);
        try
        {
            var outcome = await _pipeline.ExecuteOutcomeAsync(
                async (attemptContext, state) =>
                {
                    // ExecuteOutcomeAsync expects failures as outcomes, not thrown. A cancelled attempt is the per-attempt
                    // timeout unless the caller's own token was cancelled.
                    try
                    {
                        using var request = CreateRequest(state.Endpoint, state.Item, state.Body);
                        return Outcome.FromResult(await state.Client.SendAsync(request, attemptContext.CancellationToken));
                    }
                    catch (Exception exception) when (exception is HttpRequestException || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                    {
                        return Outcome.FromException<HttpResponseMessage>(exception);
                    }
                },
                context,
                (Endpoint: endpoint, Item: item, Body: body, Client: client));
            if (outcome.Exception is { } exception)
            {
                return exception.Message;
            }

            using var response = outcome.Result!;
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private HttpRequestMessage CreateRequest(WebhookEndpointOptions endpoint, WebhookItem item, byte[] body)
    {
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.UserAgent.ParseAdd("Relayguard-Webhooks/1");
        request.Headers.Add(WebhookSignature.EventHeader, item.Type);
        request.Headers.Add(WebhookSignature.DeliveryHeader, item.EventId.ToString());
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Compute(endpoint.Secret, timestamp, body));
        return request;
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;
}
