using System.Net;
using System.Text.RegularExpressions;

namespace Relayguard.Bounces;

/// <summary>Helpers for the human-readable part of a report.</summary>
internal static partial class NoticeText
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
    private const int HeaderBlockLines = 3;

    /// <summary>Turns HTML, or plain text with <c>&lt;br&gt;</c> tags, into plain lines.</summary>
    public static string FromHtml(string html)
    {
        var withBreaks = LineBreakTag().Replace(html, "\n");
        var withoutScripts = ScriptOrStyle().Replace(withBreaks, " ");
        var withoutTags = Tag().Replace(withoutScripts, string.Empty);
        return WebUtility.HtmlDecode(withoutTags);
    }

    /// <summary>
    /// Replaces the HTML line breaks and font tags that some MTAs put into plain text. Other angle
    /// brackets stay, because they enclose addresses.
    /// </summary>
    public static string WithoutLineBreakTags(string text)
    {
        if (!LineBreakTag().IsMatch(text))
        {
            return text;
        }

        return FormattingTag().Replace(LineBreakTag().Replace(text, "\n"), string.Empty);
    }

    /// <summary>
    /// Splits the notice where the returned copy of the original message starts: at a marker line
    /// ("--- Below this line is a copy of the message.") or at a block of original headers.
    /// </summary>
    public static (string Notice, string Returned) SplitAtReturnedMessage(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (ReturnedMarker().IsMatch(lines[i]) || StartsHeaderBlock(lines, i))
            {
                return (string.Join('\n', lines[..i]), string.Join('\n', lines[i..]));
            }
        }

        return (text, string.Empty);
    }

    /// <summary>True when the notice reports the message as only delayed, to be retried.</summary>
    public static bool ReadsAsDelay(string subject, string notice)
    {
        if (FinalFailure().IsMatch(notice))
        {
            return false;
        }

        return DelayNotice().IsMatch(notice) || DelaySubject().IsMatch(subject);
    }

    /// <summary>Returns the Message-ID in a returned header block without angle brackets, or null.</summary>
    public static string? FindMessageId(string returned)
    {
        var match = MessageIdHeader().Match(returned);
        return match.Success ? match.Groups["id"].Value : null;
    }

    /// <summary>True when a line contains only "&lt;address&gt;:", the way qmail lists failed recipients.</summary>
    public static bool HasRecipientListLayout(string text) => RecipientListLine().IsMatch(text);

    /// <summary>Removes quoted lines ("&gt; text") that a forward or reply carries.</summary>
    public static string WithoutQuotedLines(string text) => QuotedLine().Replace(text, string.Empty);

    private static bool StartsHeaderBlock(string[] lines, int start)
    {
        var originalHeaders = 0;
        var transportHeaders = 0;
        var headerLines = 0;
        for (var i = start; i < lines.Length && headerLines < HeaderBlockLines + 3; i++)
        {
            var line = lines[i];
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t') && headerLines > 0)
            {
                continue;
            }

            if (!HeaderLine().IsMatch(line))
            {
                break;
            }

            headerLines++;
            if (OriginalHeaderName().IsMatch(line))
            {
                originalHeaders++;
            }

            if (TransportHeaderName().IsMatch(line))
            {
                transportHeaders++;
            }
        }

        // A summary such as "To: ... Subject: ... Date: ..." is part of the notice. A returned
        // header block also has headers that only a transported message carries.
        return headerLines >= HeaderBlockLines && originalHeaders >= 2 && transportHeaders >= 1;
    }

    [GeneratedRegex(@"<\s*(?:br|/p|/div|/tr|/li|/h\d)\s*/?\s*>", Options)]
    private static partial Regex LineBreakTag();

    [GeneratedRegex(@"</?(?:font|b|i|u|span|p|div|center|strong|em|html|body)\b[^<>]{0,500}>", Options)]
    private static partial Regex FormattingTag();

    [GeneratedRegex(@"<(script|style)[^>]*>.*?</\1\s*>", Options | RegexOptions.Singleline)]
    private static partial Regex ScriptOrStyle();

    [GeneratedRegex(@"<[^>]{0,2000}>", Options)]
    private static partial Regex Tag();

    [GeneratedRegex(@"^[\s\-|=*#_>]*(?:below (?:this|the next) line is a copy of the message|this is a copy of (?:the|your) message|(?:original|returned|unsent) (?:message|mail)(?:s| header| headers)?\b(?! (?:was|is|has|to|from|had)\b)|message headers? follows?|the header of the original message is following|(?:enclosed|included) is a copy of the message|attachment is a copy of the message|your message reads \(in part\)|a copy of the original message below this line|below is a copy of the original message|message text follows|the header and top \d+ lines of the message follows)", Options)]
    private static partial Regex ReturnedMarker();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9-]{0,60}:(?:\s|$)", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderLine();

    [GeneratedRegex(@"^(?:received|return-path|message-id|date|from|to|subject|mime-version|content-type|content-transfer-encoding|dkim-signature|x-mailer|delivered-to|reply-to|references|in-reply-to|user-agent|x-originating-ip|authentication-results|received-spf|x-received|x-google-dkim-signature|domainkey-signature):", Options)]
    private static partial Regex OriginalHeaderName();

    [GeneratedRegex(@"^(?:received|return-path|message-id|mime-version|content-type|content-transfer-encoding|dkim-signature|delivered-to|x-received|authentication-results|received-spf|domainkey-signature|x-mailer|user-agent):", Options)]
    private static partial Regex TransportHeaderName();

    [GeneratedRegex(@"\bdelayed\b|has not yet been delivered|not yet been delivered|will (?:continue to )?(?:be )?retr(?:y|ied)|will continue (?:trying|to attempt)|still (?:being )?(?:re)?tr(?:y|ied)|\bthis is (?:a|just a|only a) warning|warning message only|temporary failure report|delivery attempts will continue|you do not need to (?:resend|re-send|take any action)", Options)]
    private static partial Regex DelayNotice();

    [GeneratedRegex(@"\(delay\)|\bdelayed\b|^warning\b|\bverz[oö]gert|\bretard|\bretrasad|\britardat|\batrasad|\bvertraagd|op[oó][zź]nion|遅延|延迟|延遲", Options)]
    private static partial Regex DelaySubject();

    [GeneratedRegex(@"failed permanently|permanent(?:ly)? (?:error|fatal|failure)|i've given up|given up|giving up|gave up|will not be retried|not going to try again|retry timeout exceeded|\bhas been removed from the (?:mail )?queue|message will be deleted from queue|could not be delivered for \d+ days", Options)]
    private static partial Regex FinalFailure();

    [GeneratedRegex(@"^Message-ID:\s*<(?<id>[^>\r\n]{1,500})>", Options | RegexOptions.Multiline)]
    private static partial Regex MessageIdHeader();

    [GeneratedRegex(@"^<(?:[^<>\s@]{1,64}|""(?:[^""\\\r\n]|\\.){1,64}"")@[^<>\s]{1,255}>:[ \t]*\r?$", RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    private static partial Regex RecipientListLine();

    [GeneratedRegex(@"^[ \t]*>(?!>>).*$", RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    private static partial Regex QuotedLine();
}
