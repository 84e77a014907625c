using MassTransit;
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
    private readonly Dictionary<string, (SemaphoreSlim Gate, int Users)> _accounts = new(StringComparer.Ordinal);

    /// <summary>
    /// Counts one event with <paramref name="count"/> and publishes what it decided: the block, then the warning.
    /// Events of one account are consumed concurrently, so this runs one event of an account at a time in this
    /// process: a warning is then decided and published before the block, or not at all once the block closed the
    /// window, and its time is never after the block's. NOTE: replicas of the detector in other processes still
    /// race, so a warning from one replica may follow a block from another.
    /// </summary>
    public async Task ConsumeAsync(ConsumeContext context, string? account, DateTimeOffset submittedAt, Func<CancellationToken, Task<Ca1Result?>> count)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(count);
        if (account is null)
        {
            // CA1 counts accounts only: the rule logs such an event and decides nothing.
            await count(context.CancellationToken);
            return;
        }

        var gate = Enter(account);
        var entered = false;
        try
        {
            await gate.WaitAsync(context.CancellationToken);
            entered = true;
            var counted = await count(context.CancellationToken);
            if (counted?.Block is { } block)
            {
                RecordBlock(counted);
                await block.PublishAsync(context, context.CancellationToken);
                await rule.MarkPublishedAsync(block, context.CancellationToken);
            }

            if (await CheckAsync(counted, account, submittedAt, context.CancellationToken) is { } warning)
            {
                await context.Publish(warning, publish => publish.MessageId = warning.EventId, context.CancellationToken);
                MarkPublished(warning);
            }
        }
        finally
        {
            if (entered)
            {
                gate.Release();
            }

            Leave(account);
        }
    }

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

    private SemaphoreSlim Enter(string account)
    {
        lock (_accounts)
        {
            var (gate, users) = _accounts.TryGetValue(account, out var entry) ? entry : (new SemaphoreSlim(1, 1), 0);
            _accounts[account] = (gate, users + 1);
            return gate;
        }
    }

    private void Leave(string account)
    {
        lock (_accounts)
        {
            var (gate, users) = _accounts[account];
            if (users == 1)
            {
                _accounts.Remove(account);
                gate.Dispose();
            }
            else
            {
                _accounts[account] = (gate, users - 1);
            }
        }
    }

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
