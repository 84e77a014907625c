using Relayguard.Contracts;

namespace Relayguard.Gateway.Scanning;

/// <summary>Rspamd's verdict on one message, or why there is none.</summary>
public sealed record ScanResult(string Action, double? Score, double? RequiredScore, IReadOnlyList<string> TopSymbols, string? Error)
{
    public bool Scanned => Error is null && Action != SpamActions.NotScanned;

    public static ScanResult NotScanned(string? error = null) => new(SpamActions.NotScanned, null, null, [], error);
}
