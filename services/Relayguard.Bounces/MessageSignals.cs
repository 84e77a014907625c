using System.Text.RegularExpressions;
using MimeKit;

namespace Relayguard.Bounces;

/// <summary>Header and text signals that are not about delivery failure itself.</summary>
internal static partial class MessageSignals
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
    private const int MatchTimeoutMilliseconds = 500;

    // Headers that autoresponders add: Exchange's X-Auto-Response-Suppress and common vacation programs' own.
    private static readonly string[] AutoReplyHeaders =
    [
        "X-Auto-Response-Suppress", "X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-AutoReply-From", "X-Mail-Autoreply",
        "X-Vacation",
    ];

    /// <summary>True when the From header names a mail system (MAILER-DAEMON, postmaster) or is empty.</summary>
    public static bool IsMailSystemSender(MessageContent content)
    {
        if (content.SenderText.Length == 0 || content.SenderText is "<>" or "\"\" <>")
        {
            return true;
        }

        if (content.SenderAddress is { Length: > 0 } address && EmailAddress.IsMailSystem(address))
        {
            return true;
        }

        return SafeIsMatch(SystemSenderText(), content.SenderText);
    }

    /// <summary>Returns the header or subject that marks an automatic reply (RFC 3834 and common vendor headers), or null.</summary>
    public static string? FindAutoReply(MessageContent content)
    {
        var headers = content.Message.Headers;
        var autoSubmitted = headers[HeaderId.AutoSubmitted];
        if (autoSubmitted is not null && autoSubmitted.TrimStart().StartsWith("auto-replied", StringComparison.OrdinalIgnoreCase))
        {
            return "Auto-Submitted: auto-replied";
        }

        foreach (var name in AutoReplyHeaders)
        {
            if (headers.Contains(name))
            {
                return name + " header";
            }
        }

        var precedence = headers[HeaderId.Precedence] ?? headers["X-Precedence"];
        if (precedence is not null && precedence.Contains("auto_reply", StringComparison.OrdinalIgnoreCase))
        {
            return "Precedence: auto_reply";
        }

        return BounceSubjects.IsAutoReply(content.Subject) ? "an out-of-office subject" : null;
    }

    /// <summary>True when a challenge-response filter requests that the sender prove to be a person.</summary>
    public static bool IsChallenge(string text) => SafeIsMatch(Challenge(), text);

    /// <summary>True when the message is a provider's complaint notice that does not use ARF.</summary>
    public static bool IsNonStandardComplaint(MessageContent content)
    {
        if (content.Subject.StartsWith("complaint about message from", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return content.AttachedMessages.Any(message => message.Headers.Contains("X-HmXmrOriginalRecipient"));
    }

    /// <summary>True for an error report of the fml mailing-list manager (not a member, mail loop).</summary>
    public static bool IsMailingListError(MessageContent content)
    {
        var server = content.Message.Headers["X-MLServer"];
        return server is not null && server.Contains("fml", StringComparison.OrdinalIgnoreCase)
            && SafeIsMatch(MailingListError(), content.Subject + "\n" + content.Notice);
    }

    private static bool SafeIsMatch(Regex pattern, string text)
    {
        try
        {
            return pattern.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"mailer[-_ ]?daemon|mail[-_ ]?daemon|\bpostmaster\b|post_master|\bmdaemon\b|mail delivery (?:system|subsystem)|mail deliver system|delivery subsystem|mail administrator|ndr administrator|interscan|antivirus_for_smtp|\bmail\.delivery\.system\b|^<>$", Options, MatchTimeoutMilliseconds)]
    private static partial Regex SystemSenderText();

    [GeneratedRegex(@"not (?:a )?member|loop alert|duplicated message-id|\brejected\b", Options, MatchTimeoutMilliseconds)]
    private static partial Regex MailingListError();

    [GeneratedRegex(@"sender not pre-?approved|been waitlisted|\bguest list\b|(?:approved|allowed|safe) senders? list|verify (?:that )?you are (?:a )?(?:real|human|person)|prove (?:that )?you are (?:a )?(?:human|real)|confirm (?:that )?you (?:are a|sent)|confirm your (?:message|e-?mail|identity)|challenge[- ]response|spam ?arrest|mailblocks|\bboxbe\b|choicemail|please (?:click|visit) .{1,60} to (?:be added|confirm|verify)|awaiting (?:your )?(?:verification|confirmation)|request(?:ed)? (?:to be )?authori[sz]ation to send", Options, MatchTimeoutMilliseconds)]
    private static partial Regex Challenge();
}
