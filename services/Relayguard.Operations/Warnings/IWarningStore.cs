using Relayguard.Contracts;

namespace Relayguard.Operations.Warnings;

/// <summary>The early warnings the detectors published, each queued for the webhooks as it is stored.</summary>
public interface IWarningStore
{
    /// <summary>Stores a warning once per event id and queues its webhook. Returns false for a repeated event.</summary>
    bool Record(AccountWarned warning);

    /// <summary>Reads the newest warnings, of one account or of all.</summary>
    IReadOnlyList<AccountWarned> List(string? account, int limit);

    /// <summary>Deletes warnings older than <paramref name="before"/>. Returns how many were deleted.</summary>
    int Prune(DateTimeOffset before);
}
