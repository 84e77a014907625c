namespace Relayguard.Operations.Allowlist;

/// <summary>The response of <c>DELETE /api/allowlist/{kind}/{subject}</c>: the entries that were removed.</summary>
public sealed record AllowlistRemoveResult(string Kind, string Subject, IReadOnlyList<AllowlistEntry> Removed);
