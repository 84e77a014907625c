using System.Text.RegularExpressions;

namespace Relayguard.Bounces;

/// <summary>
/// Sentences that mail systems write into non-standard reports. A strong marker alone makes a
/// message a report, but a weak one counts only together with a mail-system sender or a named
/// failed recipient.
/// </summary>
internal static partial class BodyMarkers
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Multiline;
    private const int MatchTimeoutMilliseconds = 500;

    private static readonly (string Source, Regex Pattern)[] Strong =
    [
        ("qmail", Qmail()),
        ("Exim", Exim()),
        ("Postfix", Postfix()),
        ("sendmail", Sendmail()),
        ("Exchange or Office 365", Exchange()),
        ("Gmail", Gmail()),
        ("Yahoo", Yahoo()),
        ("Lotus Notes", LotusNotes()),
        ("Amazon SES", AmazonSes()),
        ("OpenSMTPD", OpenSmtpd()),
        ("another mail server", OtherServers()),
        ("a mail server writing in another language", OtherLanguages()),
    ];

    /// <summary>Returns the source whose sentence appears in the text and where it starts, or null.</summary>
    public static (string Source, int Index)? FindStrong(string text)
    {
        (string Source, int Index)? first = null;
        foreach (var (source, pattern) in Strong)
        {
            var match = SafeMatch(pattern, text);
            if (match is { Success: true } && (first is null || match.Index < first.Value.Index))
            {
                first = (source, match.Index);
            }
        }

        return first;
    }

    /// <summary>True when the text speaks of a failed delivery in words that an ordinary message may also use.</summary>
    public static bool HasWeak(string text) => SafeMatch(Weak(), text) is { Success: true };

    /// <summary>Returns where a forwarded or quoted message starts in the text, or -1.</summary>
    public static int FindForwardMarker(string text) => SafeMatch(Forwarded(), text) is { Success: true } match ? match.Index : -1;

    private static Match? SafeMatch(Regex pattern, string text)
    {
        try
        {
            return pattern.Match(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"this is the qmail-send program|i'm afraid i wasn't able to deliver your message|i was not able to deliver your message to the following|program at \S+ was unable to deliver your message", Options, MatchTimeoutMilliseconds)]
    private static partial Regex Qmail();

    [GeneratedRegex(@"this message was created automatically by (?:the )?(?:mail delivery software|mail delivery system|smtp relay)|this is an automated message created by mail delivery software|could not be delivered to (?:one or more|all) of\s+its\s+recipients|the following\s+address(?:\(es\)|es)?\s+failed|contained one or more recipient addresses that were\s+incorrectly constructed|has not yet been delivered to one or more of its\s+recipients", Options, MatchTimeoutMilliseconds)]
    private static partial Regex Exim();

    [GeneratedRegex(@"this is the (?:postfix program|mail system|\S+ program) at host|i'm sorry to have to inform you that (?:the|your) message", Options, MatchTimeoutMilliseconds)]
    private static partial Regex Postfix();

    [GeneratedRegex(@"the following addresses had (?:permanent fatal errors|delivery problems|delivery errors|fatal errors|transient non-fatal errors)|^[ \t-]*transcript of session follows|^[ \t-]*unsent message follows", Options, MatchTimeoutMilliseconds)]
    private static partial Regex Sendmail();

    [GeneratedRegex(@"did not reach the following recipient|your message did not reach some or all of the intended recipients|delivery has failed to these recipients or groups|the following recipient\(s\) could not be reached|non-delivery report|your message to .{1,200} couldn't be delivered", Options, MatchTimeoutMilliseconds)]
    private static partial Regex Exchange();

    [GeneratedRegex(@"dele?very to the following recipients? (?:failed|has been delayed|was aborted)|this is an automatically generated delivery status notification", Options, MatchTimeoutMilliseconds)]
    private static partial Regex Gmail();

    [GeneratedRegex(@"sorry, we were unable to deliver your message to the following address|unable to deliver message to the following address", Options, MatchTimeoutMilliseconds)]
    private static partial Regex Yahoo();

    [GeneratedRegex(@"^\s*was not delivered to:\s*$|^-+ ?failure reasons ?-+", Options, MatchTimeoutMilliseconds)]
    private static partial Regex LotusNotes();

    [GeneratedRegex(@"an error occurred while trying to deliver the mail to the following recipients|the following message to .{1,200} was undeliverable", Options, MatchTimeoutMilliseconds)]
    private static partial Regex AmazonSes();

    [GeneratedRegex(@"an error has occurred while attempting to deliver a message for|a message is delayed for more than .{1,60} for the following", Options, MatchTimeoutMilliseconds)]
    private static partial Regex OpenSmtpd();

    [GeneratedRegex(@"there was an error delivering your mail to|unable to deliver (?:the )?message to|could not be delivered to:|we had trouble delivering your message|your mail message to the following address\(es\) could not be delivered|the following recipients? (?:did not receive|could not be reached)|message not delivered to the following|could not deliver message to the following recipient|failed addresses follow|an error was detected while processing the enclosed message|was undeliverable to the following|this message was undeliverable due to the following reason|your message has encountered delivery problems|message could not be delivered to mobile|your mail to the following recipients could not be delivered|the following mail has been returned because|your delivery to the following address has been failed|message could not be delivered for more than|could not be delivered because of|automatic bounce notification|the email below could not be delivered|unable to deliver your message to|the attached message had permanent fatal delivery errors|did not receive a copy of your message|^\s*(?:delivery failed \d+ attempts|invalid final delivery userid|user mailbox exceeds allowed size|unknown user):|^\s*undeliverable to \S+@", Options, MatchTimeoutMilliseconds)]
    private static partial Regex OtherServers();

    [GeneratedRegex(@"письмо не может быть доставлено|невозможно доставить сообщение|以下のメールアドレスへの送信に失敗しました|送信できませんでした|配信できませんでした|届きませんでした|邮件无法发送|无法投递|無法傳遞|投递失败|n'a pas pu (?:être|etre) (?:remis|d[ée]livr[ée]|distribu[ée])|konnte nicht zugestellt werden|no (?:se )?(?:ha )?(?:podido|pudo) (?:ser )?entregar|non (?:è|e') stato possibile (?:recapitare|consegnare)|n[aã]o (?:foi poss[ií]vel|p[oô]de ser) entreg|kon niet (?:worden )?(?:bezorgd|afgeleverd)|nie (?:może|mogła|została) (?:zostać )?dostarczon", Options, MatchTimeoutMilliseconds)]
    private static partial Regex OtherLanguages();

    [GeneratedRegex(@"(?:message|mail|e-?mail) (?:to .{1,120} )?(?:could not|couldn't|cannot|can't|wasn't|was not|has not been) (?:be )?delivered|undeliverable|undelivered|not (?:yet )?(?:been )?delivered|delivery (?:has )?failed|delivery failure|returned mail|non-?delivery|permanent (?:error|failure)|bounce notification|user unknown|unknown user|no such user|not a valid user|mailbox (?:is )?full|over quota|was rejected|failed permanently|unzustellbar|non remis|no entregado|non recapitat|n[aã]o entregue|onbestelbaar|niedostarcz|配信不能|无法投递|не доставлено", Options, MatchTimeoutMilliseconds)]
    private static partial Regex Weak();

    [GeneratedRegex(@"^[ \t>-]*(?:begin forwarded message|-+ ?forwarded message|-+ ?original message ?-+|weitergeleitete nachricht|message transf[ée]r[ée]|mensaje reenviado|messaggio inoltrato|mensagem encaminhada|doorgestuurd bericht|wiadomo[sś][cć] przekazana|転送されたメッセージ|转发的邮件|пересылаемое сообщение)", Options, MatchTimeoutMilliseconds)]
    private static partial Regex Forwarded();
}
