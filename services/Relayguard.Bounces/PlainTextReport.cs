using System.Text.RegularExpressions;

namespace Relayguard.Bounces;

/// <summary>A recipient that a report's text names, with the lines that explain its failure.</summary>
/// <param name="Stage">The SMTP command that the rejection replied to, as the text shows it.</param>
internal sealed record TextRecipient(string Address, string? OriginalAddress, string Detail, SmtpStage Stage);

/// <summary>
/// Finds the failed recipients in the text of a non-standard report. This is a parser of layouts
/// more than of grammar: a recipient is an address that is alone on its line ("&lt;x@y&gt;:",
/// "  x@y", "x@y on DATE"), follows an SMTP code (sendmail's "550 &lt;x@y&gt;... User unknown") or
/// follows a phrase that introduces recipients ("Unknown user:", "RCPT TO:", "could not be delivered
/// to:"). The lines after it, up to a blank line or the next recipient, explain the failure.
/// </summary>
internal static partial class PlainTextReport
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
    private const int MaxLines = 800;
    private const int MaxDetailLines = 12;
    private const int MaxLineLength = 2000;
    private const int OriginalAddressDistance = 3;

    /// <summary>
    /// Returns the recipients that the notice names. <paramref name="failedRecipientsHeader"/>, when
    /// present, decides which addresses count, because Exim lists them exactly.
    /// </summary>
    public static IReadOnlyList<TextRecipient> FindRecipients(
        string notice,
        IReadOnlySet<string> excludedAddresses,
        string? senderDomain,
        IReadOnlyList<string> failedRecipientsHeader)
    {
        var lines = notice.Split('\n')
            .Take(MaxLines)
            .Select(line => (line.Length > MaxLineLength ? line[..MaxLineLength] : line).TrimEnd('\r'))
            .ToArray();

        var candidates = FindCandidates(lines, excludedAddresses);
        var recipients = Merge(candidates, lines);

        if (failedRecipientsHeader.Count > 0)
        {
            return failedRecipientsHeader
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .Select(address => DescribeListedAddress(address, recipients))
                .ToList();
        }

        return recipients.Count > 0 ? recipients : FindBareNames(lines, senderDomain);
    }

    /// <summary>Returns the recipient that the text describes for an address of X-Failed-Recipients.</summary>
    private static TextRecipient DescribeListedAddress(string address, List<TextRecipient> described)
    {
        var found = described.FirstOrDefault(r => Same(r.Address, address));
        return found is null ? new TextRecipient(address, null, string.Empty, SmtpStage.Unknown) : found with { Address = address };
    }

    private sealed record Candidate(string Address, int Line, string? OriginalAddress);

    private static List<Candidate> FindCandidates(string[] lines, IReadOnlySet<string> excluded)
    {
        var candidates = new List<Candidate>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (ExcludedLine().IsMatch(line) || FollowsSenderIntroduction(lines, i))
            {
                continue;
            }

            foreach (Match match in EmailAddress.FindAll(line))
            {
                var address = CleanAddress(match.Value);
                var prefix = line[..match.Index];
                if (OriginalOf().IsMatch(prefix))
                {
                    AttachOriginal(candidates, address, i);
                    continue;
                }

                // Exchange writes X.400 recipients as "...;dda:SMTP=user@example.com".
                var x400 = match.Value.StartsWith("SMTP=", StringComparison.OrdinalIgnoreCase);
                if (excluded.Contains(address) || EmailAddress.IsMailSystem(address) || !(x400 || IsRecipientPosition(prefix)))
                {
                    continue;
                }

                candidates.Add(new Candidate(address, i, null));
            }
        }

        return candidates;
    }

    private static bool IsTranscriptLine(string line) => TranscriptLine().IsMatch(line);

    private static void AttachOriginal(List<Candidate> candidates, string original, int line)
    {
        if (candidates.Count > 0 && line - candidates[^1].Line <= OriginalAddressDistance)
        {
            var last = candidates[^1];
            if (!Same(last.Address, original) && last.OriginalAddress is null)
            {
                candidates[^1] = last with { OriginalAddress = original };
            }

            return;
        }

        // "Originally addressed to x" with no address before it names the recipient itself.
        candidates.Add(new Candidate(original, line, null));
    }

    private static List<TextRecipient> Merge(List<Candidate> candidates, string[] lines)
    {
        var merged = new List<TextRecipient>();
        for (var k = 0; k < candidates.Count; k++)
        {
            var candidate = candidates[k];
            var nextLine = candidates.Skip(k + 1).FirstOrDefault(c => c.Line > candidate.Line)?.Line ?? lines.Length;
            var detail = CollectDetail(lines, candidate.Line, nextLine);

            var index = merged.FindIndex(r => Same(r.Address, candidate.Address));
            if (index < 0)
            {
                merged.Add(new TextRecipient(candidate.Address, candidate.OriginalAddress, detail, SmtpStage.Unknown));
                continue;
            }

            var existing = merged[index];
            var sameLine = k > 0 && candidates[k - 1].Line == candidate.Line;
            merged[index] = existing with
            {
                OriginalAddress = existing.OriginalAddress ?? candidate.OriginalAddress,
                Detail = sameLine ? existing.Detail : existing.Detail + "\n" + detail,
            };
        }

        return merged
            .Select(r => r with { Stage = FailureWording.FindStage(FailureWording.Normalize(r.Detail), recipientLines: true) })
            .ToList();
    }

    private static string CollectDetail(string[] lines, int start, int end)
    {
        var detail = new List<string> { lines[start].Trim() };
        var transcript = IsTranscriptLine(lines[start]);
        for (var j = start + 1; j < end && j < lines.Length && detail.Count < MaxDetailLines; j++)
        {
            if (string.IsNullOrWhiteSpace(lines[j]))
            {
                break;
            }

            // In a sendmail transcript each line is its own event, so only the reply to a command belongs to it.
            if (transcript && !lines[j].TrimStart().StartsWith("<<<", StringComparison.Ordinal))
            {
                break;
            }

            detail.Add(lines[j].Trim());
        }

        return string.Join('\n', detail);
    }

    private static bool IsRecipientPosition(string prefix)
    {
        var trimmed = prefix.Trim().TrimEnd('<', '"', '\'', '(', '[', '`', ' ', '\t').TrimStart('>', '*', '-', '•', '·', ' ', '\t', '|', '"', '\'', '#');
        return trimmed.Length == 0 || CodeBeforeAddress().IsMatch(trimmed) || IntroducesRecipient().IsMatch(trimmed);
    }

    private static bool FollowsSenderIntroduction(string[] lines, int index)
    {
        for (var j = index - 1; j >= 0 && j >= index - 2; j--)
        {
            if (!string.IsNullOrWhiteSpace(lines[j]))
            {
                return SenderIntroduction().IsMatch(lines[j]);
            }
        }

        return false;
    }

    private static List<TextRecipient> FindBareNames(string[] lines, string? senderDomain)
    {
        var recipients = new List<TextRecipient>();
        if (senderDomain is null)
        {
            return recipients;
        }

        for (var i = 0; i < lines.Length; i++)
        {
            if (!BareNameIntroduction().IsMatch(lines[i]))
            {
                continue;
            }

            for (var j = i + 1; j < lines.Length && !string.IsNullOrWhiteSpace(lines[j]); j++)
            {
                var name = BareName().Match(lines[j]);
                if (name.Success)
                {
                    recipients.Add(new TextRecipient(name.Groups["name"].Value + "@" + senderDomain.ToLowerInvariant(), null, lines[i].Trim(), SmtpStage.Unknown));
                }
            }
        }

        return recipients;
    }

    private static string CleanAddress(string address)
    {
        var cleaned = address.Trim('\'', '`', '.');
        return cleaned.StartsWith("SMTP=", StringComparison.OrdinalIgnoreCase) ? cleaned[5..] : cleaned;
    }

    private static bool Same(string a, string b) =>
        string.Equals(AddressForms.Canonical(a), AddressForms.Canonical(b), StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"^\s*(?:>+\s*)?(?:from|reply-to|sender|return-path|to|cc|bcc|date|subject|x-sender|x-receiver|errors-to|original sender|sender-mta|envelope-from|x-original-to|delivered-to|message-id|in-reply-to|references|received|x-envelope-from|x-env-sender|mail from)\s*:", Options)]
    private static partial Regex ExcludedLine();

    [GeneratedRegex(@"(?:generated from|expanded from|originally addressed to|original recipient)\s*:?\s*[<(""]?\s*$", Options)]
    private static partial Regex OriginalOf();

    [GeneratedRegex(@"^(?:<<<\s*)?[245]\d\d(?:[ -][245]\.\d{1,3}\.\d{1,3})?\s*:?$", Options)]
    private static partial Regex CodeBeforeAddress();

    [GeneratedRegex(@"(?:unknown user|invalid final delivery userid|user mailbox exceeds allowed size|delivery failed \d+ attempts|undeliverable to|undeliverable address|error-for|delivery failed|(?:be|not|wasn't) delivered to|unable to deliver (?:the |your )?(?:message|mail) to|rcpt to|\brcpt|recipients?|recipient address|to the following (?:address(?:es)?|recipients?)|returned permanent errors|(?:message|mail|e-?mail) to|you sent mail to|addressed,|error delivering your mail to|delivering (?:your|the) (?:mail|message) to|(?<!sender |from |reply |mail )address(?:es)?|rfc822\s*;|destinatario|destinataire|empf[aä]nger|adresat|宛先|收件人|получател[ьяи])\s*[:=]?$", Options)]
    private static partial Regex IntroducesRecipient();

    [GeneratedRegex(@"^\s*(?:<<<|>>>|[245]\d\d[ -])", Options)]
    private static partial Regex TranscriptLine();

    [GeneratedRegex(@"(?:sent by|message from|original sender|mail from)\s*:?\s*$", Options)]
    private static partial Regex SenderIntroduction();

    [GeneratedRegex(@"following recipients?\b.{0,160}:\s*$", Options)]
    private static partial Regex BareNameIntroduction();

    [GeneratedRegex(@"^\s+(?<name>[A-Za-z0-9][A-Za-z0-9._-]{0,63})\s*$", Options)]
    private static partial Regex BareName();
}
