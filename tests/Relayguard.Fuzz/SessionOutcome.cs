namespace Relayguard.Fuzz;

/// <summary>What the gateway did in one session, read from its replies.</summary>
public sealed record SessionOutcome(
    FuzzSession Session,
    TimeSpan Duration,
    bool Hung,
    bool Authenticated,
    IReadOnlyList<string> AcceptedAfterAuth,
    IReadOnlyList<string> AcceptedWithoutAuth,
    string? FirstReplyCode);
