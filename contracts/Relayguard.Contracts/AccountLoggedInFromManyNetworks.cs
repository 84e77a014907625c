namespace Relayguard.Contracts;

/// <summary>
/// An account logged in successfully from at least the configured number of networks (IPv4 /24, IPv6 /48) within
/// one window, which often means that its password leaked. Only a flag for operators: nothing is blocked.
/// </summary>
public sealed record AccountLoggedInFromManyNetworks
{
    public required Guid EventId { get; init; }

    public required string Account { get; init; }

    /// <summary>The networks seen within the window, oldest first, in CIDR form.</summary>
    public required IReadOnlyList<string> Networks { get; init; }

    public required int WindowSeconds { get; init; }

    public required DateTimeOffset DetectedAt { get; init; }
}
