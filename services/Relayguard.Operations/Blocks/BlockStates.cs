namespace Relayguard.Operations.Blocks;

/// <summary>
/// The state of a block at a given time. A block is active until it expires or an operator lifts it, and expired
/// and lifted blocks stay in the history.
/// </summary>
public static class BlockStates
{
    public const string Active = "active";
    public const string Expired = "expired";
    public const string Lifted = "lifted";

    /// <summary>A filter value, not a state: every block, whatever its state.</summary>
    public const string All = "all";

    public static readonly IReadOnlyList<string> Filters = [Active, Expired, Lifted, All];
}
