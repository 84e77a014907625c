namespace Relayguard.Operations.Allowlist;

/// <summary>The outcome of adding an allowlist entry: the new entry, and the entry it replaced, if any.</summary>
public sealed record AllowlistAddResult(AllowlistEntry Entry, AllowlistEntry? Replaced);
