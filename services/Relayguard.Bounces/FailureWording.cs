using System.Text.RegularExpressions;

namespace Relayguard.Bounces;

/// <summary>
/// Phrases that reveal why delivery failed, in the order they are tried. Earlier groups win, so a
/// rate limit, spam or a named policy outranks "user unknown" in the same text, and both outrank the
/// status code. The phrases come from the replies of common MTAs and providers. Only the first
/// <see cref="MaxTextLength"/> characters of a text are read.
/// </summary>
internal static partial class FailureWording
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
    private const int MatchTimeoutMilliseconds = 250;
    private const int MaxTextLength = 4000;

    private static readonly (BounceReason Reason, Regex Pattern)[] Specific =
    [
        (BounceReason.RateLimited, RateLimit()),
        (BounceReason.SpamContent, Content()),
        (BounceReason.PolicyBlocked, Policy()),
        (BounceReason.SpamContent, Spam()),
        (BounceReason.PolicyBlocked, PolicyWords()),
        (BounceReason.MailboxFull, MailboxFull()),
        (BounceReason.MessageTooLarge, TooLarge()),
        (BounceReason.Other, NetworkError()),
        (BounceReason.HostUnknown, HostUnknown()),
        (BounceReason.Other, Disabled()),
        (BounceReason.Other, SystemError()),
        (BounceReason.UserUnknown, UserUnknown()),
        (BounceReason.Expired, Expired()),
    ];

    /// <summary>
    /// Returns the reason that specific wording in the normalized text names, or null. Without
    /// <paramref name="includeExpiry"/>, wording about an expired message is skipped, as for a delay.
    /// </summary>
    public static BounceReason? MatchSpecific(string normalizedText, bool includeExpiry = true)
    {
        foreach (var (reason, pattern) in Specific)
        {
            if ((includeExpiry || reason != BounceReason.Expired) && IsMatch(pattern, normalizedText))
            {
                return reason;
            }
        }

        return null;
    }

    /// <summary>
    /// Returns the reason that provider-specific wording names. It reads the raw text, because the
    /// signals sit in what <see cref="Normalize"/> removes: an empty address slot or a block-list URL.
    /// </summary>
    public static BounceReason? MatchRaw(string? text, StatusCode? status)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var bounded = text.Length > MaxTextLength ? text[..MaxTextLength] : text;
        var directoryStatus = status is { Class: 5, Subject: 4, Detail: 1 } || IsMatch(MicrosoftDirectoryStatus(), bounded);
        if (directoryStatus && IsMatch(MicrosoftDirectoryRejection(), bounded))
        {
            return BounceReason.UserUnknown;
        }

        return IsMatch(KddiFilterReply(), bounded) || IsMatch(BlockListHost(), bounded) || IsMatch(GoogleGroups(), bounded)
            ? BounceReason.PolicyBlocked
            : null;
    }

    /// <summary>
    /// Returns the SMTP command that the rejection replied to, as the text reports it. A transcript
    /// line ("&gt;&gt;&gt; DATA" then "&lt;&lt;&lt; 550") counts only in one recipient's own lines,
    /// because sendmail's whole-session transcript pipelines RCPT replies after DATA.
    /// </summary>
    public static SmtpStage FindStage(string normalizedText, bool recipientLines = false)
    {
        var data = IsMatch(DataStage(), normalizedText) || (recipientLines && IsMatch(DataTranscript(), normalizedText));
        var recipient = IsMatch(RecipientStage(), normalizedText);
        return (data, recipient) switch
        {
            (true, false) => SmtpStage.Data,
            (false, true) => SmtpStage.Recipient,
            _ => SmtpStage.Unknown,
        };
    }

    /// <summary>True when the text calls the failure rejected or refused without giving a cause.</summary>
    public static bool IsGenericRefusal(string normalizedText) => IsMatch(GenericRefusal(), normalizedText);

    /// <summary>True when the text reports that the remote server could not be reached at all.</summary>
    public static bool IsConnectionFailure(string normalizedText) => IsMatch(ConnectionFailure(), normalizedText);

    /// <summary>True when the text calls the failure temporary.</summary>
    public static bool IsTemporary(string normalizedText) => IsMatch(Temporary(), normalizedText);

    /// <summary>True when the text requests another try later, so the failure is not final.</summary>
    public static bool RequestsRetryLater(string normalizedText) => IsMatch(RetryLater(), normalizedText);

    /// <summary>True when the text states that the address does not exist ("does not exist", "no such user").</summary>
    public static bool StatesAddressMissing(string normalizedText) => IsMatch(AddressMissing(), normalizedText);

    /// <summary>True when the text names a policy cause: a block, spam, a denial, relaying, a block list, reputation, a policy or a filter.</summary>
    public static bool NamesPolicyCause(string normalizedText) => IsMatch(PolicyCause(), normalizedText);

    /// <summary>
    /// Lower-cases the text and removes URLs, addresses and host names, whose words ("spam-filter",
    /// "userunknown@") would otherwise read as reasons.
    /// </summary>
    public static string Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return string.Empty;
        }

        var bounded = text.Length > MaxTextLength ? text[..MaxTextLength] : text;
        var withoutUrls = Url().Replace(bounded, " ");
        var withoutAddresses = Address().Replace(withoutUrls, " ");
        var withoutHosts = HostName().Replace(withoutAddresses, " ");
        return Whitespace().Replace(withoutHosts, " ").Trim().ToLowerInvariant().Replace('\u2019', '\'');
    }

    private static bool IsMatch(Regex pattern, string text)
    {
        try
        {
            return pattern.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            // The text is bounded, so a timeout means pathological input: treat it as no match.
            return false;
        }
    }

    [GeneratedRegex(@"\brate[ -]?limit|\bratelimit|\bthrottl|too many (?:messages|mails|e-?mails|connections|concurrent|recipients|sessions|requests|simultaneous|invalid recipients|errors|transactions)|(?:sending|relay|message|mail|daily|hourly) (?:quota|limit|rate)s? (?:has been |have been |was |is )?(?:exceeded|reached)|reached (?:your|the|its) (?:daily |hourly )?(?:sending |relay |message )?(?:quota|limit)|exceeded (?:the|your) (?:daily |hourly )?(?:sending|relay|message|connection) (?:quota|limit|rate)|unexpected volume|frequency limit|sending rate|too fast|slow down|connection limit|receiving (?:mail|messages) at a rate|\brate (?:exceeded|too high)|(?:messages|mails|e-?mails|recipients|connections) per (?:second|minute|hour|day)", Options, MatchTimeoutMilliseconds)]
    private static partial Regex RateLimit();

    [GeneratedRegex(@"\bvirus|malware|infected|phish|\buribl|\bsurbl|blacklisted (?:url|link)|blacklisted domain in|(?:urls?|links?) (?:in|of) (?:the |your )?message|message content|content (?:rejected|filter|policy|not accepted|violat)|(?:banned|forbidden|prohibited|disallowed|dangerous|unsafe) (?:attachment|file|content|extension)|attachments? (?:not allowed|are not accepted|type)|not accepting mail with attachments|embedded images|media error|header error|invalid header|message (?:rejected|refused|blocked) (?:as|because of|due to) (?:its )?content", Options, MatchTimeoutMilliseconds)]
    private static partial Regex Content();

    [GeneratedRegex(@"black ?list|block ?list|blocklisted|\brbl\b|dnsbl|spamhaus|spamcop|\bsorbs\b|reputation|\bspf\b|\bdkim\b|\bdmarc\b|sender policy framework|reverse dns|reverse lookup|\bptr\b|\brdns\b|\bhelo\b|\behlo\b|relay(?:ing)? (?:access )?(?:denied|not (?:permitted|allowed))|not permitted to relay|unable to relay|no relaying|authentication (?:required|failed|checks? failed)|unauthenticated|\bmail from\b|sender (?:address |domain )?(?:was |is )?(?:rejected|denied|refused|not allowed|verify failed|invalid)|valid from|sender'?s? (?:domain|address|ip)|your (?:ip|server|host|domain|network|mail server|isp|provider)|client host|\bip\b.{0,40}(?:blocked|rejected|denied|refused|listed|banned)|grey-?list|gray-?list|\bpolic(?:y|ies)\b|not accept(?:ing|ed)? (?:mail|messages|e-?mail) from|smtp server of your isp|open relay|dial-?up|dynamic ip|residential|tls required|encryption required|requires? (?:tls|starttls)|permission to post|not (?:a )?member|members-only|non-member|moderator|my name was rejected|recipient preferences", Options, MatchTimeoutMilliseconds)]
    private static partial Regex Policy();

    [GeneratedRegex(@"not authori[sz]ed|blocked|access denied|banned|complaints|prohibited|forbidden|confirmation|suspicious", Options, MatchTimeoutMilliseconds)]
    private static partial Regex PolicyWords();

    [GeneratedRegex(@"spam(?!haus|cop)|junk mail|unsolicited|bulk (?:e-?)?mail|content reject", Options, MatchTimeoutMilliseconds)]
    private static partial Regex Spam();

    [GeneratedRegex(@"mail ?box (?:is )?full|mail ?box (?:has )?exceeded|full mailbox|over ?quota|quota|mail ?folder is full|insufficient (?:storage|disk|system storage|space)|exceeds allowed size|mailbox size limit|too much mail|not enough (?:disk )?space|out of (?:disk )?space|postfach (?:ist )?voll|bo[iî]te (?:aux lettres )?(?:est )?pleine|buz[oó]n (?:est[aá] )?lleno|casella (?:[eè] )?piena|caixa (?:postal )?(?:est[aá] )?cheia|容量|満杯|已满|已滿", Options, MatchTimeoutMilliseconds)]
    private static partial Regex MailboxFull();

    [GeneratedRegex(@"too (?:big|large)|message (?:size )?exceeds|size (?:limit|exceeded)|exceeds? (?:the )?(?:maximum|max|message|allowed) (?:message )?size|message length exceeds|size of (?:the )?message|message is larger|larger than (?:the )?(?:maximum|allowed)|message too long", Options, MatchTimeoutMilliseconds)]
    private static partial Regex TooLarge();

    [GeneratedRegex(@"malformed or unexpected name server reply|name server (?:failure|timeout)|\bservfail\b|dns (?:failure|timeout|error)", Options, MatchTimeoutMilliseconds)]
    private static partial Regex NetworkError();

    [GeneratedRegex(@"host unknown|unknown host|name or service not known|host or domain name not found|host not found(?!, try again)|domain (?:name )?not found|no such domain|unknown domain|domain (?:does not|doesn't|did not) exist|domain (?:is )?(?:invalid|unknown)|invalid domain|bad destination (?:system|host)|unrouteable address|unroutable|couldn'?t find any host|could not find any host|no mx (?:record|host)|no mail exchanger|couldn'?t find a mail exchanger|record indicated no smtp service|null mx|does not accept (?:e-?)?mail|nxdomain|non-?existent domain|illegal host/domain|domain is not reachable\. please check the domain|unbekannte domain|domain existiert nicht|domaine inconnue|dominio (?:inexistente|desconocido|sconosciuto)|存在しないドメイン", Options, MatchTimeoutMilliseconds)]
    private static partial Regex HostUnknown();

    [GeneratedRegex(@"\bdisabled|deactivated|suspended|\binactive (?:account|mailbox|user)|account (?:is )?inactive|account is locked|account (?:has been )?(?:closed|terminated|discontinued|blocked)|discontinued|\bon hold\b|temporarily unavailable", Options, MatchTimeoutMilliseconds)]
    private static partial Regex Disabled();

    [GeneratedRegex(@"internal (?:system |server )?error|\bsystem error|local error in processing|mailer error|error in processing", Options, MatchTimeoutMilliseconds)]
    private static partial Regex SystemError();

    [GeneratedRegex(@"user unknown|unknown user|unknown (?:local[- ]part|recipient|mailbox|address|account|alias)|no such (?:user|mailbox|recipient|address|account|person|local user)|(?:user|mailbox|recipient|address|account|addressee) (?:does not|doesn't|did not) exist|(?:user|mailbox|recipient|addressee|account|alias|address)(?: name)? (?:is )?(?:unknown|not found|not known|invalid)|user not known|invalid (?:recipient|mailbox|user|address|account)|recipient (?:not found|invalid|unknown)|not a valid (?:user|mailbox|recipient|address|account)|(?:isn't|is not) a valid (?:user|mailbox|recipient)|no (?:mailbox|account|user) (?:here )?(?:by|with) that name|there is no user|no user by that name|not listed in (?:the )?(?:domino directory|public name & address book|address book)|not listed in domino|recipient name is not recognized|unknown or illegal (?:user|alias)|addressee unknown|bad destination mailbox|invalid final delivery userid|does not have a final email delivery point|(?:doesn't|does not|don't) have an? [a-z0-9.-]{0,40} ?account|no longer (?:valid|available|in use|active|exists|with|at|works)|has moved|moved (?:away|permanently)|no forwarding address|recipientnotfound|recipnotfound|mailbox not found|no (?:mailbox|user|account|recipient) (?:was )?found|no valid recipients|did not exactly match|(?:address|recipient) (?:couldn't|could not) be found|wasn't found at|address rejected(?!:)|check if (?:the )?address is correct|inactive (?:e-?mail )?address|is not a known user|mail-box not found|(?:does not|doesn't|did not) exist|utilisateur inconnu|n'existe pas|existiert nicht|unbekannter (?:empf[aä]nger|benutzer)|empf[aä]nger unbekannt|usuario desconocido|no existe|n[aã]o existe|utente sconosciuto|inesistente|onbekende gebruiker|bestaat niet|nie istnieje|nieznany (?:u[zż]ytkownik|adres)|存在しません|見つかりません|リストにありません|宛先不明|不存在|не существует|неизвестн|несуществующ", Options, MatchTimeoutMilliseconds)]
    private static partial Regex UserUnknown();

    [GeneratedRegex(@"retry timeout exceeded|(?:message|delivery|queue) (?:time )?(?:has )?expired|\bexpired\b|too long in (?:the )?queue|in the queue too long|could not be delivered for (?:more than )?\d|(?:was|has) not (?:been )?delivered (?:within|for) \d|giving up|gave up|after multiple retries|maximum (?:delivery )?time|delivery time ?out|timeout exceeded|cannot send message for \d|could not send (?:mail|message) for (?:the )?past|failing for a long time", Options, MatchTimeoutMilliseconds)]
    private static partial Regex Expired();

    [GeneratedRegex(@"connection (?:timed out|refused|reset)|timed out|no route to host|network is unreachable|not reachable|did not accept our requests to connect|socket error|unable to connect|couldn't connect|could not connect|wasn't able to establish an smtp connection|delivery failed \d+ attempts|not responding", Options, MatchTimeoutMilliseconds)]
    private static partial Regex ConnectionFailure();

    [GeneratedRegex(@"rejected|denied|refused|not allowed|not permitted|unauthori[sz]ed|administrative prohibition|restricted", Options, MatchTimeoutMilliseconds)]
    private static partial Regex GenericRefusal();

    [GeneratedRegex(@"\b(?:try|send|resend|retry)(?: (?:it|this|(?:this|your|the) message|again)){0,3} later\b|at a later time|try again in \d", Options, MatchTimeoutMilliseconds)]
    private static partial Regex RetryLater();

    [GeneratedRegex(@"(?:does not|doesn't|did not|do not) exist|no such (?:user|mailbox|recipient|address|account|person|local user)|no (?:mailbox|user|account|recipient) (?:was )?found|(?:mailbox|recipient|address|account|user) (?:was )?not found", Options, MatchTimeoutMilliseconds)]
    private static partial Regex AddressMissing();

    [GeneratedRegex(@"block|spam|denied|\brelay|black ?list|reputation|\bpolic(?:y|ies)\b|filter", Options, MatchTimeoutMilliseconds)]
    private static partial Regex PolicyCause();

    [GeneratedRegex(@"try again|temporar|deferred|will (?:be )?retr|retrying|delayed|not yet been delivered|still (?:being )?(?:re)?tried", Options, MatchTimeoutMilliseconds)]
    private static partial Regex Temporary();

    // Exchange Online rejects recipients that its directory does not know with
    // "550 5.4.1 Recipient address rejected: Access denied", so there it means an unknown address.
    [GeneratedRegex(@"recipient address rejected: access denied", Options, MatchTimeoutMilliseconds)]
    private static partial Regex MicrosoftDirectoryRejection();

    [GeneratedRegex(@"(?<![\d.])5\.4\.1(?![\d.])", Options, MatchTimeoutMilliseconds)]
    private static partial Regex MicrosoftDirectoryStatus();

    // au by KDDI replies "550 : User unknown", with an empty address, when the recipient's domain
    // filter rejects the sender. A mailbox that does not exist gets "550 <address>: User unknown"
    // (the same distinction as Sisimai's Rhost::KDDI rule).
    [GeneratedRegex(@"\b5\d\d:?[ \t]+:[ \t]*user unknown", Options, MatchTimeoutMilliseconds)]
    private static partial Regex KddiFilterReply();

    [GeneratedRegex(@"spamhaus\.org|spamcop\.net|barracudacentral\.org|sorbs\.net|abuseat\.org|senderscore\.|mailspike\.|\bdnsbl\.", Options, MatchTimeoutMilliseconds)]
    private static partial Regex BlockListHost();

    // Google Groups rejects posts from non-members with a text that only suggests the group "may not exist".
    [GeneratedRegex(@"groups\.google\.com/support|^google groups", Options | RegexOptions.Multiline, MatchTimeoutMilliseconds)]
    private static partial Regex GoogleGroups();

    [GeneratedRegex(@">>> data <<< \d", Options, MatchTimeoutMilliseconds)]
    private static partial Regex DataTranscript();

    [GeneratedRegex(@"in reply to (?:end of )?data\b|after (?:end of )?data\b|smtp command:? data\b|step: data send", Options, MatchTimeoutMilliseconds)]
    private static partial Regex DataStage();

    [GeneratedRegex(@"in reply to rcpt to\b|after rcpt to\b|did not like our rcpt to|\[rcpt_to\]|>>> rcpt to\b|rcpt to generated following response|smtp command:? rcpt\b", Options, MatchTimeoutMilliseconds)]
    private static partial Regex RecipientStage();

    [GeneratedRegex(@"\b(?:https?|ftp)://\S+|\bwww\.\S+", Options)]
    private static partial Regex Url();

    [GeneratedRegex(@"(?:""(?:[^""\\\r\n]|\\.){0,200}""|[^\s<>()\[\]""',;:]+)@[^\s<>()\[\]""',;:]+", Options)]
    private static partial Regex Address();

    [GeneratedRegex(@"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,6}\b", Options)]
    private static partial Regex HostName();

    [GeneratedRegex(@"\s+", Options)]
    private static partial Regex Whitespace();
}
