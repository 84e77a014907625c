using System.Security.Cryptography;
using System.Text;

namespace Relayguard.Operations.Webhooks;

/// <summary>
/// The signature of a webhook request: <c>sha256=</c> and the lower-case hex HMAC-SHA256, keyed with the receiver's
/// secret, of the <c>X-Relayguard-Timestamp</c> value, a dot, and the body bytes. Receivers recompute it, compare in
/// constant time, and reject old timestamps to stop replays.
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-Relayguard-Signature";
    public const string TimestampHeader = "X-Relayguard-Timestamp";
    public const string EventHeader = "X-Relayguard-Event";
    public const string DeliveryHeader = "X-Relayguard-Delivery";

    public static string Compute(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes(timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }
}
