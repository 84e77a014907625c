using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca1;

/// <summary>
/// Checks, after CA1 has counted an event, whether the account's window reached the warning level, and stores the
/// warning that the caller must publish and then mark published. <see cref="ICa1WarningStore"/> keeps one warning per
/// account and window, so later events in the window return nothing, or the same warning while it is unpublished.
/// </summary>
public sealed class Ca1EarlyWarning(
    ICa1Store store,
    ICa1WarningStore warnings,
    Ca1Rule rule,
    IOptions<Ca1Options> options,
    TimeProvider time,
    ILogger<Ca1EarlyWarning> logger)
{
    private readonly Ca1Options _options = options.Value;

    /// <summary>
    /// Checks the tally that <see cref="Ca1Rule"/> returned for an event it counted, without reading the store again.
    /// A null <paramref name="counted"/> (the rule did not count the event) returns null. A duplicate has no tally, so
    /// the window is read from the store: the warning of the first delivery may never have been published.
    /// </summary>
    public Task<AccountWarned?> CheckAsync(Ca1Result? counted, string account, DateTimeOffset submittedAt, CancellationToken cancellationToken)
    {
        if (counted is null || _options.WarnAt <= 0)
        {
            return Task.FromResult<AccountWarned?>(null);
        }

        return counted.Tally is { } tally ? Task.FromResult(Warn(tally, time.GetUtcNow())) : CheckWindowAsync(account, submittedAt, time.GetUtcNow(), cancellationToken);
    }

    public void MarkPublished(AccountWarned warning)
    {
        ArgumentNullException.ThrowIfNull(warning);
        warnings.MarkPublished(warning.EventId, time.GetUtcNow());
    }

    /// <summary>
    /// Closes the window of a block that <paramref name="counted"/> made, so no warning follows the block. Events of
    /// one account are consumed concurrently, and one counted just below the block level would otherwise warn after
    /// the event that blocked.
    /// </summary>
    public void RecordBlock(Ca1Result? counted)
    {
        if (counted?.Block?.AccountBlocked is { } blocked && counted.Tally is { } tally)
        {
            warnings.CloseWindow(tally.Account, tally.WindowStart, blocked.EventId, time.GetUtcNow());
        }
    }

    /// <summary>Deletes warnings of windows past the CA1 retention. Returns how many were deleted.</summary>
    public int Prune() => warnings.Prune(time.GetUtcNow() - _options.RetentionDuration - _options.WindowDuration);

    private async Task<AccountWarned?> CheckWindowAsync(string account, DateTimeOffset submittedAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var tally = await store.GetTallyAsync(account, rule.WindowStartOf(submittedAt), cancellationToken);
        return Warn(tally, now);
    }

    /// <summary>Stores the warning the tally calls for. Returns it, the same warning while it is unpublished, or null.</summary>
    private AccountWarned? Warn(Ca1Tally tally, DateTimeOffset now)
    {
        if (Ca1Warning.Decide(tally, _options, now) is not { } warning)
        {
            return null;
        }

        var pending = warnings.Record(warning, now);
        if (pending?.EventId == warning.EventId)
        {
            Log.AccountWarned(logger, tally.Account, warning.EventId, tally.InvalidRecipients, tally.DistinctRecipients, tally.WindowStart);
        }

        return pending;
    }
}
