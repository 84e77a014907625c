using System.Diagnostics;
using System.Globalization;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca1;

/// <summary>
/// The CA1 decision: block the account when at least <see cref="Ca1Options.MinInvalidRecipients"/> distinct recipients
/// of one window proved invalid and they are at least <see cref="Ca1Options.MinInvalidShare"/> of its distinct recipients.
/// </summary>
public static class Ca1Decision
{
    /// <summary>The reason sentence that the block event carries.</summary>
    public const string Reason = "too many messages to addresses that do not exist";

    /// <summary>Returns a new CA1 block when the tally reaches both thresholds, otherwise null.</summary>
    public static DetectorBlock? Decide(Ca1Tally tally, Ca1Options options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(tally);
        ArgumentNullException.ThrowIfNull(options);
        if (tally.InvalidRecipients < options.MinInvalidRecipients || tally.InvalidShare < options.MinInvalidShare)
        {
            return null;
        }

        var windowEnd = tally.WindowStart + options.WindowDuration;
        var summary = string.Create(
            CultureInfo.InvariantCulture,
            $"{tally.InvalidRecipients} of {tally.DistinctRecipients} distinct recipients ({FormatShare(tally.InvalidShare)}) of mail submitted from {tally.WindowStart:yyyy-MM-dd HH:mm} to {windowEnd:yyyy-MM-dd HH:mm} UTC proved invalid. The thresholds are {options.MinInvalidRecipients} recipients and {FormatShare(options.MinInvalidShare)}.");
        return DetectorBlock.From(new AccountBlocked
        {
            EventId = Guid.CreateVersion7(now),
            Account = tally.Account,
            Code = RuleCodes.Ca1,
            Scope = BlockScopes.All,
            Reason = Reason,
            Evidence = new BlockEvidence
            {
                Summary = summary,
                Counts = new Dictionary<string, double>
                {
                    ["invalidRecipients"] = tally.InvalidRecipients,
                    ["distinctRecipients"] = tally.DistinctRecipients,
                    ["invalidShare"] = tally.InvalidShare,
                    ["minInvalidRecipients"] = options.MinInvalidRecipients,
                    ["minInvalidShare"] = options.MinInvalidShare,
                    ["windowSeconds"] = options.WindowDuration.TotalSeconds,
                },
                Samples = tally.Samples,
                TraceId = Activity.Current?.TraceId.ToString(),
            },
            BlockedAt = now,
            ExpiresAt = null,
        });
    }

    private static string FormatShare(double share) =>
        (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";
}
