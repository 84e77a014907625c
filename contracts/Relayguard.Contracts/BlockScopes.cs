namespace Relayguard.Contracts;

public static class BlockScopes
{
    /// <summary>Every MAIL FROM is refused.</summary>
    public const string All = "all";

    /// <summary>Only MAIL FROM with the null sender (<c>&lt;&gt;</c>) is refused.</summary>
    public const string NullSender = "null-sender";
}
