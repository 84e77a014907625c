namespace Relayguard.Operations.Allowlist;

/// <summary>The states of an allowlist entry. Removed and expired entries stay in the history.</summary>
public static class AllowlistStates
{
    public const string Active = "active";
    public const string Expired = "expired";
    public const string Removed = "removed";

    /// <summary>A filter value, not a state: every entry, whatever its state.</summary>
    public const string All = "all";
}
