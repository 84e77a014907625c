namespace Relayguard.Operations.Api;

/// <summary>The body of <c>POST /api/blocks</c>.</summary>
public sealed class ManualBlockRequest
{
    public string? Kind { get; init; }

    public string? Subject { get; init; }

    /// <summary>The rule code, which must be OP1 (the code of manual blocks). OP1 when left out.</summary>
    public string? Code { get; init; }

    public string? Reason { get; init; }

    /// <summary>How long the block lasts, such as <c>24h</c>. Null blocks until an operator lifts it.</summary>
    public string? For { get; init; }

    /// <summary><c>all</c> (the default) or <c>null-sender</c>.</summary>
    public string? Scope { get; init; }
}
