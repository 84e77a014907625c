namespace Relayguard.Contracts;

/// <summary>
/// A gateway started refusing AUTH with <c>454 4.7.0</c> after repeated failures: for one user name from one
/// client address (<see cref="UserName"/> set), or for every user name from the address (<see cref="UserName"/> null).
/// The operations registry lists it as a block with code <see cref="Code"/>, and lifting it there ends the throttle.
/// </summary>
public sealed record AuthThrottled
{
    /// <summary>The code under which the operations registry lists AUTH throttles.</summary>
    public const string Code = "AUTH";

    /// <summary>The block scope of an AUTH throttle: only AUTH is refused, mail from other logins is not.</summary>
    public const string Scope = "auth";

    public required Guid EventId { get; init; }

    /// <summary>The client's IPv4 address, or its IPv6 /64 prefix.</summary>
    public required string ClientIp { get; init; }

    /// <summary>The user name whose logins are refused from <see cref="ClientIp"/>; null when the whole address is throttled.</summary>
    public string? UserName { get; init; }

    /// <summary>Failed logins counted within <see cref="WindowSeconds"/> that started the throttle.</summary>
    public required int Failures { get; init; }

    /// <summary>Distinct user names among those failures.</summary>
    public required int DistinctUserNames { get; init; }

    public required int WindowSeconds { get; init; }

    public required string Reason { get; init; }

    /// <summary>The id of the gateway instance that throttled, because each instance counts its own failures.</summary>
    public string? Gateway { get; init; }

    public required DateTimeOffset ThrottledAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }
}
