using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Relayguard.Gateway.Host;

/// <summary>
/// The identity of one gateway instance (setting <c>Gateway:InstanceId</c>), which names its own block queue so that
/// every instance receives every block and lift event. Without the setting, an id is generated once and kept in
/// <c>DATA/instance-id</c>, so a restarted instance finds the events that waited in its queue meanwhile.
/// </summary>
internal static partial class GatewayInstance
{
    public const string InstanceIdKey = "Gateway:InstanceId";
    public const string QueueExpiryKey = "Gateway:QueueExpiry";

    /// <summary>How long the broker keeps the queue of an instance that stopped consuming: RabbitMQ's <c>x-expires</c>.</summary>
    public static readonly TimeSpan DefaultQueueExpiry = TimeSpan.FromDays(7);

    public static string ResolveId(string? configured, string dataDirectory)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Normalize(configured);
        }

        var path = Path.Combine(dataDirectory, "instance-id");
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } stored)
        {
            return Normalize(stored);
        }

        var generated = "gw-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        File.WriteAllText(path, generated);
        return generated;
    }

    public static string QueueName(string instanceId) => "gateway-blocks-" + instanceId;

    /// <summary>Lower-cases the id and replaces what a queue name should not contain, so a pod name such as <c>relayguard-gateway-0</c> stays readable.</summary>
    private static string Normalize(string id)
    {
        var normalized = UnsafeCharacters().Replace(id.Trim().ToLowerInvariant(), "-").Trim('-');
        if (normalized.Length is 0 or > 200)
        {
            throw new FormatException($"Invalid {InstanceIdKey} '{id}': use 1 to 200 letters, digits, '-', '_' or '.'.");
        }

        return normalized;
    }

    [GeneratedRegex("[^a-z0-9._-]+")]
    private static partial Regex UnsafeCharacters();
}
