using MassTransit;
using Relayguard.Contracts;
using Relayguard.Operations.Blocks;

namespace Relayguard.Operations.Allowlist;

/// <summary>
/// The operators' allowlist. Each change is stored with its audit entry and its event is published, so the
/// detectors hear of every change that is stored. Each kind, subject and code has at most one active entry: adding
/// another replaces it.
/// </summary>
public interface IAllowlistStore
{
    /// <summary>The codes an entry may name. OP1 blocks are set by hand, so they are lifted, never allowlisted.</summary>
    static readonly IReadOnlyList<string> Codes = [RuleCodes.Ca1, RuleCodes.Ca2, RuleCodes.Bo1, RuleCodes.Rl1];

    /// <summary>Reads the active entries (or, with <see cref="AllowlistStates.All"/>, the latest 500 of any state), newest first.</summary>
    IReadOnlyList<AllowlistEntry> List(string? kind, string state);

    /// <summary>Adds an entry, replacing the active one of the same kind, subject and code, and publishes <see cref="AllowlistEntryAdded"/>.</summary>
    /// <exception cref="EventPublishException">The event could not be published, and the store did not keep the entry.</exception>
    Task<AllowlistAddResult> AddAsync(NewAllowlistEntry entry, string operatorName, IPublishEndpoint publishEndpoint, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the subject's active entries: every one, or only the one for <paramref name="code"/> (an empty code
    /// names the entry for every rule). Publishes one <see cref="AllowlistEntryRemoved"/> per entry. Returns the
    /// removed entries, which is empty when none was active.
    /// </summary>
    /// <exception cref="EventPublishException">An event could not be published, and the store did not keep the removal.</exception>
    Task<IReadOnlyList<AllowlistEntry>> RemoveAsync(
        string kind,
        string subject,
        string? code,
        string operatorName,
        IPublishEndpoint publishEndpoint,
        CancellationToken cancellationToken);
}
