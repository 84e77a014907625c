using System.Text;
using System.Text.Json;

namespace Relayguard.IntegrationTests.Infrastructure;

/// <summary>One request that <see cref="WebhookReceiver"/> got: its headers and its body bytes.</summary>
public sealed record ReceivedWebhook(IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string Text => Encoding.UTF8.GetString(Body);
}
