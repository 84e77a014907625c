namespace Relayguard.Operations.Api;

/// <summary>The body of <c>POST /api/allowlist</c>.</summary>
public sealed class AllowlistRequest
{
    public string? Kind { get; init; }

    public string? Subject { get; init; }

    /// <summary>The rule to exempt from (CA1, CA2, BO1, RL1). Left out, or <c>all</c>, exempts from every rule.</summary>
    public string? Code { get; init; }

    public string? Reason { get; init; }

    /// <summary>How long the entry lasts, such as <c>7d</c>. Null keeps it until an operator removes it.</summary>
    public string? For { get; init; }
}
