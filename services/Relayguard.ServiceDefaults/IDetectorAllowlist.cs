using Relayguard.Contracts;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// One detector's copy of the operators' allowlist, kept current from <see cref="AllowlistEntryAdded"/> and
/// <see cref="AllowlistEntryRemoved"/> events. <typeparamref name="TRule"/> gives each detector a service type of its
/// own, so that detectors in one process keep separate copies.
/// </summary>
public interface IDetectorAllowlist<TRule>
{
    /// <summary>Applies an added entry unless a later event for the same kind, subject and code was applied. Returns false for a repeated event.</summary>
    bool Apply(AllowlistEntryAdded message, DateTimeOffset now);

    /// <summary>Applies a removed entry unless a later event for the same kind, subject and code was applied. Returns false for a repeated event.</summary>
    bool Apply(AllowlistEntryRemoved message, DateTimeOffset now);

    /// <summary>
    /// Finds an active entry for <paramref name="code"/> or for every rule that covers the account or the client address
    /// (an IP entry covers every address in its range). Returns it as text such as <c>account alice</c> or
    /// <c>ip 192.0.2.0/24</c>, or null when none does.
    /// </summary>
    string? FindCovering(string code, string? account, string? clientIp, DateTimeOffset now);
}
