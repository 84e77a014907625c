using Relayguard.Contracts;

namespace Relayguard.Detectors.Ca1;

/// <summary>The early warnings CA1 has issued, one per account and window, so that a window warns once however many events follow.</summary>
public interface ICa1WarningStore
{
    /// <summary>
    /// Stores the warning unless its account and window already have one. Returns the warning to publish: this one when
    /// it was stored, the stored one when that was never marked published, otherwise null.
    /// </summary>
    AccountWarned? Record(AccountWarned warning, DateTimeOffset now);

    void MarkPublished(Guid eventId, DateTimeOffset now);

    /// <summary>
    /// Closes the account's window to warnings because CA1 blocked it: a later <see cref="Record"/> returns null. A
    /// warning stored but not yet published stays with the caller that is publishing it.
    /// </summary>
    void CloseWindow(string account, DateTimeOffset windowStart, Guid blockEventId, DateTimeOffset now);

    /// <summary>Deletes the warnings of windows that started before <paramref name="windowsBefore"/>. Returns how many were deleted.</summary>
    int Prune(DateTimeOffset windowsBefore);
}
