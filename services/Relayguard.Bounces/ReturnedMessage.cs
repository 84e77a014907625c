using System.Text.RegularExpressions;
using MimeKit;

namespace Relayguard.Bounces;

/// <summary>Reads the copy of the original message that a report returns.</summary>
internal static partial class ReturnedMessage
{
    /// <summary>
    /// Returns the one recipient of the returned message, when it has exactly one and is not
    /// discussion-list mail. Some reports (Verizon's MMS gateway, old sendmail, Postfix without
    /// a delivery report) name the recipient only there.
    /// </summary>
    public static IReadOnlyList<TextRecipient> SoleRecipient(MessageContent content)
    {
        // NOTE: the To header is only a guess at the envelope recipient. A failed Bcc recipient
        // is not in it, and one To address can hide further envelope recipients.
        var attached = content.AttachedMessages.FirstOrDefault();
        if (attached is not null)
        {
            var listMail = ListHeaders.Any(attached.Headers.Contains);
            var addresses = attached.To.Mailboxes.Concat(attached.Cc.Mailboxes).Select(m => m.Address).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            return !listMail && addresses.Count == 1 ? [new TextRecipient(addresses[0], null, string.Empty, SmtpStage.Unknown)] : [];
        }

        if (ListHeader().IsMatch(content.NoticeTail) || CcHeader().IsMatch(content.NoticeTail))
        {
            return [];
        }

        var to = ToHeader().Match(content.NoticeTail);
        if (!to.Success)
        {
            return [];
        }

        var found = EmailAddress.FindAll(to.Groups["value"].Value).Select(m => m.Value).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return found.Count == 1 ? [new TextRecipient(found[0], null, string.Empty, SmtpStage.Unknown)] : [];
    }

    // Headers of discussion lists, whose To names the list rather than the member. Newsletters
    // (List-Unsubscribe, Precedence: bulk) address each recipient and are not excluded.
    private static readonly string[] ListHeaders = ["List-Post", "Mailing-List", "X-BeenThere", "X-Mailman-Version", "Errors-To"];

    /// <summary>Parses the text after the notice as a message, when it starts with a header block.</summary>
    public static IEnumerable<MimeMessage> ParseTail(MessageContent content)
    {
        if (!HeaderStart().IsMatch(content.NoticeTail))
        {
            yield break;
        }

        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content.NoticeTail));
        MimeMessage message;
        try
        {
            message = MimeMessage.Load(stream);
        }
        catch (FormatException)
        {
            yield break;
        }

        yield return message;
    }

    [GeneratedRegex(@"\A(?:Return-Path|Received|From|Date|Message-ID|MIME-Version):", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HeaderStart();

    [GeneratedRegex(@"^To:(?<value>.*)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    private static partial Regex ToHeader();

    [GeneratedRegex(@"^Cc:\s*\S", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    private static partial Regex CcHeader();

    [GeneratedRegex(@"^(?:List-Post|Mailing-List|X-BeenThere|X-Mailman-Version|Errors-To):", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    private static partial Regex ListHeader();
}
