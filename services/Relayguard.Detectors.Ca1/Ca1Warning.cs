using System.Diagnostics;
using Relayguard.Contracts;

namespace Relayguard.Detectors.Ca1;

/// <summary>
/// The CA1 early warning: warn when a window's invalid recipients and their share both reach
/// <see cref="Ca1Options.WarnAt"/> of the thresholds, unless they reach the thresholds themselves, which blocks instead.
/// </summary>
public static class Ca1Warning
{
    /// <summary>Returns a warning for the tally, or null when warnings are off or the tally is below the warning level or at the block level.</summary>
    public static AccountWarned? Decide(Ca1Tally tally, Ca1Options options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(tally);
        ArgumentNullException.ThrowIfNull(options);
        if (options.WarnAt <= 0 || tally.InvalidRecipients < MinInvalidToWarn(options) || tally.InvalidShare < options.WarnAt * options.MinInvalidShare)
        {
            return null;
        }

        if (tally.InvalidRecipients >= options.MinInvalidRecipients && tally.InvalidShare >= options.MinInvalidShare)
        {
            return null;
        }

        return new AccountWarned
        {
            EventId = Guid.CreateVersion7(now),
            Account = tally.Account,
            Code = RuleCodes.Ca1,
            WindowStart = tally.WindowStart,
            WindowEnd = tally.WindowStart + options.WindowDuration,
            InvalidRecipients = tally.InvalidRecipients,
            DistinctRecipients = tally.DistinctRecipients,
            InvalidShare = tally.InvalidShare,
            MinInvalidRecipients = options.MinInvalidRecipients,
            MinInvalidShare = options.MinInvalidShare,
            WarnAt = options.WarnAt,
            WarnedAt = now,
            TraceId = Activity.Current?.TraceId.ToString(),
        };
    }

    /// <summary>The invalid recipients that reach the warning level: 20 for 0.8 of 25. The small offset keeps 0.8 × 25 from rounding up to 21.</summary>
    public static int MinInvalidToWarn(Ca1Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (int)Math.Ceiling((options.WarnAt * options.MinInvalidRecipients) - 1e-9);
    }
}
