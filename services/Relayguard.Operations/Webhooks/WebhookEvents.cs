using Relayguard.Contracts;

namespace Relayguard.Operations.Webhooks;

/// <summary>The event types a webhook carries, named after their contracts, and the categories receivers choose from.</summary>
public static class WebhookEvents
{
    public const string Warning = "warning";
    public const string Block = "block";
    public const string Lift = "lift";

    public static readonly IReadOnlyList<string> Categories = [Warning, Block, Lift];

    /// <summary>Returns the category of an event type such as <c>AccountBlocked</c>.</summary>
    public static string CategoryOf(string type) => type switch
    {
        nameof(AccountWarned) => Warning,
        nameof(AccountBlocked) or nameof(IpBlocked) => Block,
        nameof(AccountUnblocked) or nameof(IpUnblocked) => Lift,
        _ => throw new ArgumentException($"Unknown webhook event type '{type}'.", nameof(type)),
    };
}
