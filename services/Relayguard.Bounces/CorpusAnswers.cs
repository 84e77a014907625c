using System.Text.RegularExpressions;

namespace Relayguard.Bounces;

/// <summary>The expected results that the corpus tables give for one message.</summary>
internal sealed record CorpusExpectation
{
    /// <summary>True when the message is a delivery report and BO1 must refuse it.</summary>
    public required bool IsReport { get; init; }

    /// <summary>The failed addresses, or null when the tables give none.</summary>
    public IReadOnlySet<string>? Addresses { get; init; }

    /// <summary>Sisimai's rows, in its recipient order.</summary>
    public IReadOnlyList<SisimaiRow> SisimaiRows { get; init; } = [];

    /// <summary>The reason class that BounceParser gives, mapped to ours, or null when it has no counterpart.</summary>
    public BounceReason? FirstReason { get; init; }

    /// <summary>flufl.bounce's verdict: true for permanent (P), false for temporary (T).</summary>
    public bool? FluflPermanent { get; init; }
}

/// <summary>One row of sisimai-expected.tsv.</summary>
internal sealed record SisimaiRow(int Index, string Reason, bool HardBounce);

/// <summary>Reads the expected-results tables that come with the bounce corpus.</summary>
internal static partial class CorpusAnswers
{
    // Sisimai rows that describe no failed recipient: ARF reports, vacation replies, successful deliveries.
    private static readonly HashSet<string> NonFailureReasons = new(StringComparer.Ordinal) { "feedback", "vacation", "delivered" };

    // BounceParser's is_bounce means "carries a permanent failure", not "is a report". These are the
    // entries that, read one by one, disagree with what BO1 must decide.
    private static readonly Dictionary<string, bool> BounceParserReportOverrides = new(StringComparer.Ordinal)
    {
        ["whitelist.msg"] = true, // a Postfix DSN for a real 550 rejection that requests whitelisting
        ["warning-9.msg"] = true, // a sendmail DSN with a permanent SPF failure, left unlabelled
        ["spam-with-image.msg"] = false, // a spam message with an image and no report in it
        ["boxbe-cr.msg"] = false, // a Boxbe challenge dressed as a DSN
    };

    public static Dictionary<string, List<SisimaiRow>> ReadSisimai(string path)
    {
        var rows = new Dictionary<string, List<SisimaiRow>>(StringComparer.Ordinal);
        foreach (var columns in ReadTable(path))
        {
            if (columns.Length < 6 || !int.TryParse(columns[1], out var index) || NonFailureReasons.Contains(columns[4]))
            {
                continue;
            }

            if (!rows.TryGetValue(columns[0], out var list))
            {
                rows[columns[0]] = list = [];
            }

            list.Add(new SisimaiRow(index, columns[4], columns[5] == "true"));
        }

        return rows;
    }

    public static Dictionary<string, (HashSet<string> Addresses, bool Permanent)> ReadFlufl(string path)
    {
        var answers = new Dictionary<string, (HashSet<string>, bool)>(StringComparer.Ordinal);
        foreach (var columns in ReadTable(path))
        {
            if (columns.Length < 3 || columns[1].Length == 0)
            {
                continue;
            }

            var addresses = answers.TryGetValue(columns[0], out var known) ? known.Item1 : new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var address in columns[1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                addresses.Add(address);
            }

            answers[columns[0]] = (addresses, columns[2] == "P");
        }

        return answers;
    }

    public static Dictionary<string, CorpusExpectation> ReadBounceParser(string path)
    {
        var answers = new Dictionary<string, CorpusExpectation>(StringComparer.Ordinal);
        foreach (var columns in ReadTable(path))
        {
            var name = columns[0];
            var isReport = BounceParserReportOverrides.TryGetValue(name, out var overridden) ? overridden : columns.ElementAtOrDefault(1) == "1";
            var addresses = columns.ElementAtOrDefault(5)?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            answers[name] = new CorpusExpectation
            {
                IsReport = isReport,
                Addresses = addresses is { Length: > 0 } ? new HashSet<string>(addresses, StringComparer.OrdinalIgnoreCase) : null,
                FirstReason = MapBounceParserReason(columns.ElementAtOrDefault(2)),
            };
        }

        return answers;
    }

    /// <summary>
    /// Returns whether a Sisimai sample is a report, judged by its file name: lhost-, rhost- and
    /// rfc3464- samples are reports, and so is rb-issue-368 (a real bounce that also carries
    /// Auto-Submitted: auto-replied). The arf-, rfc3834- and is-not-bounce samples are not.
    /// </summary>
    public static bool SisimaiIsReport(string fileName) =>
        fileName.StartsWith("lhost-", StringComparison.Ordinal) || fileName.StartsWith("rhost-", StringComparison.Ordinal)
        || fileName.StartsWith("rfc3464-", StringComparison.Ordinal) || fileName.StartsWith("rb-issue-368", StringComparison.Ordinal);

    /// <summary>
    /// Reads the failed addresses a sample names itself: X-Failed-Recipients, else every Final-Recipient
    /// before the returned message whose group has no action or a failed or delayed one. This reads
    /// the raw text on purpose, apart from the parser under test.
    /// </summary>
    public static HashSet<string>? ReadOwnRecipients(string raw)
    {
        var addresses = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (Match header in FailedRecipientsHeader().Matches(raw))
        {
            foreach (Match address in AddressPattern().Matches(header.Groups["value"].Value))
            {
                addresses.Add(address.Value);
            }
        }

        if (addresses.Count > 0)
        {
            return addresses;
        }

        // Only the report's own fields count, not those of a report returned inside it.
        var returned = ReturnedPart().Match(raw);
        var own = returned.Success ? raw[..returned.Index] : raw;
        var finals = FinalRecipient().Matches(own);
        for (var i = 0; i < finals.Count; i++)
        {
            var end = i + 1 < finals.Count ? finals[i + 1].Index : own.Length;
            var group = own[finals[i].Index..end];
            var action = ActionField().Match(group);
            var failed = !action.Success || action.Groups["action"].Value.StartsWith("fail", StringComparison.OrdinalIgnoreCase)
                || action.Groups["action"].Value.StartsWith("delay", StringComparison.OrdinalIgnoreCase);
            if (failed && AddressPattern().Match(finals[i].Groups["value"].Value) is { Success: true } address)
            {
                addresses.Add(address.Value);
            }
        }

        return addresses.Count > 0 ? addresses : null;
    }

    /// <summary>Maps a Sisimai reason to ours, or returns null for reasons with no counterpart.</summary>
    public static BounceReason? MapSisimaiReason(string reason) => reason switch
    {
        "userunknown" or "hasmoved" => BounceReason.UserUnknown,
        "hostunknown" or "notaccept" => BounceReason.HostUnknown,
        "mailboxfull" => BounceReason.MailboxFull,
        "mesgtoobig" or "exceedlimit" => BounceReason.MessageTooLarge,
        "blocked" or "rejected" or "filtered" or "policyviolation" or "requireptr" or "securityerror" or "authfailure"
            or "norelaying" or "notcompliantrfc" or "badreputation" => BounceReason.PolicyBlocked,
        "spamdetected" or "virusdetected" or "contenterror" => BounceReason.SpamContent,
        "toomanyconn" or "speeding" => BounceReason.RateLimited,
        "expired" => BounceReason.Expired,
        "suspend" or "systemerror" or "mailererror" or "networkerror" or "onhold" or "syntaxerror" or "systemfull" => BounceReason.Other,
        _ => null,
    };

    private static BounceReason? MapBounceParserReason(string? reason) => reason switch
    {
        "user_unknown" => BounceReason.UserUnknown,
        "domain_error" => BounceReason.HostUnknown,
        "over_quota" => BounceReason.MailboxFull,
        "spam" => BounceReason.SpamContent,
        "user_disabled" => BounceReason.Other,
        _ => null,
    };

    private static IEnumerable<string[]> ReadTable(string path) =>
        File.ReadLines(path).Skip(1).Where(line => line.Length > 0).Select(line => line.Split('\t'));

    [GeneratedRegex(@"^X-Failed-Recipients:(?<value>.*(?:\r?\n[ \t].*)*)", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex FailedRecipientsHeader();

    [GeneratedRegex(@"^Final-Recipient:(?<value>.*)", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex FinalRecipient();

    [GeneratedRegex(@"^Action:\s*(?<action>\w+)", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex ActionField();

    [GeneratedRegex(@"^Content-Type:\s*(?:message/rfc822|text/rfc822-headers)", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex ReturnedPart();

    [GeneratedRegex(@"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")]
    private static partial Regex AddressPattern();
}
