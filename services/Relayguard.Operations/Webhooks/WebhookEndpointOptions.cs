namespace Relayguard.Operations.Webhooks;

/// <summary>One webhook receiver.</summary>
public sealed class WebhookEndpointOptions
{
    /// <summary>The http or https URL that receives a POST per event.</summary>
    public string Url { get; set; } = string.Empty;

    /// <summary>The shared secret of the HMAC-SHA256 signature in <c>X-Relayguard-Signature</c>, at least 16 characters.</summary>
    public string Secret { get; set; } = string.Empty;

    /// <summary>The event categories to send: <c>warning</c>, <c>block</c>, <c>lift</c>. Empty sends all three.</summary>
    public List<string> Events { get; set; } = [];
}
