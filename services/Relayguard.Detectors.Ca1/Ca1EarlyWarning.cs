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
    ILogger<Ca1EarlyWarning> logger,
    IDetectorAllowlist<Ca1Rule>? allowlist = null)
{
    private readonly Ca1Options _options = options.Value;

    /// <summary>Checks the window of a relayed, authenticated submission. Returns a warning to publish, or null.</summary>
    public Task<AccountWarned?> CheckAsync(MessageSubmitted message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var counted = (message.Outcome == SubmissionOutcomes.Relayed || message.RelayAttempted) && message.Account is not null;
        return counted ? CheckAsync(message.Account!, message.ClientIp, message.SubmittedAt, cancellationToken) : Task.FromResult<AccountWarned?>(null);
    }

    /// <summary>Checks the window of a permanent invalid-address bounce. Returns a warning to publish, or null.</summary>
    public Task<AccountWarned?> CheckAsync(DeliveryBounced message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var counted = message.Account is not null && message.AddressInvalid && message.Permanent;
        return counted ? CheckAsync(message.Account!, message.ClientIp, message.SubmittedAt, cancellationToken) : Task.FromResult<AccountWarned?>(null);
    }

    public void MarkPublished(AccountWarned warning)
    {
        ArgumentNullException.ThrowIfNull(warning);
        warnings.MarkPublished(warning.EventId, time.GetUtcNow());
    }

    /// <summary>Deletes warnings of windows past the CA1 retention. Returns how many were deleted.</summary>
    public int Prune() => warnings.Prune(time.GetUtcNow() - _options.RetentionDuration - _options.WindowDuration);

    private async Task<AccountWarned?> CheckAsync(string account, string clientIp, DateTimeOffset submittedAt, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_options.WarnAt <= 0 || submittedAt < now - _options.RetentionDuration || allowlist?.FindCovering(RuleCodes.Ca1, account, clientIp, now) is not null)
        {
            return null;
        }

        var tally = await store.GetTallyAsync(account, rule.WindowStartOf(submittedAt), cancellationToken);
        if (Ca1Warning.Decide(tally, _options, now) is not { } warning)
        {
            return null;
        }

        var pending = warnings.Record(warning, now);
        if (pending?.EventId == warning.EventId)
        {
            Log.AccountWarned(logger, account, warning.EventId, tally.InvalidRecipients, tally.DistinctRecipients, tally.WindowStart);
        }

        return pending;
    }
}
