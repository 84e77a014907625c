namespace Relayguard.Gateway.Identity;

/// <summary>A throttle that a failed login started: for one user name on an address, or for the whole address (<see cref="UserName"/> null).</summary>
public sealed record ThrottleStart(string ClientKey, string? UserName, int Failures, int DistinctUserNames, DateTimeOffset At, DateTimeOffset Until);
