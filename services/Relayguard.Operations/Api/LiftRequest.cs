namespace Relayguard.Operations.Api;

/// <summary>The body of <c>POST /api/blocks/{kind}/{subject}/lift</c>.</summary>
public sealed class LiftRequest
{
    public string? Reason { get; init; }

    /// <summary>The only code to lift. Null lifts every active code.</summary>
    public string? Code { get; init; }
}
