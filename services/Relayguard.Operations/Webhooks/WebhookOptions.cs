namespace Relayguard.Operations.Webhooks;

/// <summary>
/// Webhooks for warnings, blocks and lifts, bound from the <c>Webhooks</c> configuration section. Durations are
/// strings such as <c>2s</c>, <c>10m</c> or <c>24h</c>. Without endpoints, nothing is sent.
/// </summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>The receivers, set as <c>Webhooks:Endpoints:0:Url</c>, <c>Webhooks:Endpoints:0:Secret</c> and so on.</summary>
    public List<WebhookEndpointOptions> Endpoints { get; set; } = [];

    /// <summary>Retries of one delivery after a connection failure, a timeout, a 408, a 429 or a 5xx. Default 4.</summary>
    public int Retries { get; set; } = 4;

    /// <summary>The delay before the first retry, doubled for each further one, with jitter. Default <c>2s</c>.</summary>
    public string RetryDelay { get; set; } = "2s";

    /// <summary>How long one attempt may take. Default <c>10s</c>.</summary>
    public string Timeout { get; set; } = "10s";

    /// <summary>
    /// How long an event is offered to a failing receiver before it is dropped with an error in the log. Until then,
    /// later events for that receiver wait, so each receiver gets the events in order. Default <c>24h</c>.
    /// </summary>
    public string GiveUpAfter { get; set; } = "24h";

    /// <summary>How often new events are looked for. Default <c>1s</c>.</summary>
    public string PollInterval { get; set; } = "1s";
}
