using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Relayguard.Gateway.Help;

/// <summary>
/// The public help page that every refusal links to (<c>URL#CODE</c>): one section per rule code with the reply the
/// customer saw, what happened, the likely causes and what to do, and a section on the replies without a code.
/// Providers who host the page elsewhere (<c>Help:BaseUrl</c>) can save <c>/help/smtp-errors</c> as it is.
/// </summary>
public static class HelpPages
{
    private static readonly HelpSection[] Sections =
    [
        new(
            "CA1",
            "Account blocked: mail to addresses that do not exist",
            "550 5.7.1 Sending from this account is blocked: too many messages to addresses that do not exist (CA1)",
            "In a short time, many messages from your account went to addresses or domains that do not exist, so the account may no longer send. You can still log in and read your mail.",
            "Someone has learned the account's password and sends junk through it. Or a mailing list still holds many old addresses that no longer exist.",
            "If you did not send those messages, change the account's password now and check your computers for malware. Then contact support, who lift this block; it does not end by itself. Before you send to a list again, remove the addresses that bounced."),
        new(
            "CA2",
            "Address blocked: several messages scored as spam",
            "550 5.7.1 Sending from your IP address is blocked until TIME UTC: several messages scored as spam (CA2)",
            "Several messages from your IP address were scored as spam in a short time, so mail from that address is refused until the time in the reply. If many customers share your address, only your account on it is blocked.",
            "Malware on a computer, phone or device in your network that sends mail. A contact form or script on a website that others abuse to send spam. A newsletter that looks like spam.",
            "Check the computers and devices behind that address for malware, and protect website forms with a CAPTCHA or a rate limit. The block ends by itself at the time given; support can lift it sooner once the cause is fixed. A single message refused with \"Message refused as spam (CA2)\" was not delivered: remove what made it look like spam before sending it again."),
        new(
            "BO1",
            "Bounce messages are not accepted",
            "550 5.7.1 Bounce messages are not accepted: reject mail at SMTP time instead (BO1)",
            "Your mail server tried to send a non-delivery report (a bounce) through this gateway. Such bounces mostly go to forged senders, who never sent the original message, so they are refused. After several such refusals, all mail with an empty sender from you is refused until the time that the reply names.",
            "A mail server that first accepts mail for any address and later bounces what it cannot deliver, instead of rejecting unknown recipients while the sender is still connected.",
            "Configure your mail server to reject mail for unknown recipients during the SMTP session (a 550 reply to RCPT TO), so it never needs to send a bounce. Automatic replies such as out-of-office notices are not bounces and pass, except while your account or address is blocked after repeated bounces (\"Bounce messages from this sender are blocked until TIME UTC (BO1)\"): then every message with an empty sender is refused when the sender is given, before its content is sent, so out-of-office replies are refused too until that time."),
        new(
            "RL1",
            "Too many messages this hour",
            "451 4.7.1 Too many messages this hour, try again later (RL1)",
            "Your account or address reached its hourly limit of messages or recipients. This is temporary: nothing was blocked.",
            "A large mailing, or an account or device that suddenly sends far more than usual, which can also mean that the password is known to others.",
            "Mail servers retry by themselves; from a mail program, send the rest later. If you did not send that much mail, change your password. For regular large mailings, ask support for a higher limit."),
        new(
            "OP1",
            "Blocked by the provider",
            "550 5.7.1 Sending is blocked by the provider (OP1)",
            "Staff at your provider blocked sending from your account or address by hand.",
            "Usually a complaint about mail from you, a security incident, or an open question about the account.",
            "Contact support to learn why and what they need to lift the block."),
    ];

    /// <summary>The anchor of the replies about logging in (530, 535, 454).</summary>
    public const string LoginAnchor = "login";

    /// <summary>The anchor of the sender policy's refusal (553).</summary>
    public const string SenderAnchor = "sender";

    /// <summary>The anchor of the refusal of message data with bare CR or LF line endings (550 5.5.2).</summary>
    public const string LineEndingsAnchor = "line-endings";

    /// <summary>The anchor of the refusal of a recipient in a reserved domain such as <c>.invalid</c> (550 5.1.2).</summary>
    public const string ReservedDomainAnchor = "reserved-domain";

    private static readonly (string? Anchor, string Reply, string Meaning)[] OtherReplies =
    [
        (LoginAnchor, "530 5.7.0 Authentication required", "Your mail program sent without logging in. Turn on authentication (SMTP AUTH) with your account name and password, on port 587 with STARTTLS or on port 465."),
        (null, "535 5.7.8 Authentication credentials invalid", "The account name or the password is wrong. Check both in your mail program and on every device that sends with this account."),
        (null, "454 4.7.0 Too many failed logins, try again later", "Several logins from your address failed, so logins from it are refused for a few minutes. Check the password stored in every mail program and device, then try again."),
        (SenderAnchor, "553 5.7.1 Sender address rejected: not owned by user NAME", "The From address of the envelope is not one your account may send as. Send from your own address, or ask support to allow the other address for your account."),
        (LineEndingsAnchor, "550 5.5.2 Message refused: a line ended with a bare CR or LF; every line must end with CRLF", "The program that sent the message ended lines with a single line feed (LF) or carriage return (CR) instead of CR LF, as SMTP requires. Such messages are refused because a receiving server may read them differently from this gateway, which attackers use to smuggle a forged message in. Mail programs do this right; scripts often do not. In Python, send with smtplib's send_message(), which writes CR LF, or pass msg.as_bytes(policy=email.policy.SMTP) to sendmail()."),
        (ReservedDomainAnchor, "550 5.1.2 Recipient domain NAME is reserved (RFC 6761) and receives no mail", "The recipient's address ends in .invalid, a name that never exists on the internet (RFC 6761), so no mail to it could be delivered. Such addresses come from test data or stand in for addresses that were hidden on purpose: check the address with the person you are writing to."),
        (null, "552 5.3.4 Message size exceeds the limit", "The message, attachments included, is larger than the limit the reply names. Send large files by a link to a file-sharing service instead."),
        (null, "451 4.7.1 Message could not be scanned, try again later", "The spam filter was not available. Your mail server retries by itself; from a mail program, send the message again in a few minutes."),
        (null, "451 4.4.1", "The provider's mail server could not be reached. Nothing was lost: the message was not accepted, and your mail server retries by itself."),
    ];

    public static IEndpointRouteBuilder MapHelpPages(this IEndpointRouteBuilder endpoints)
    {
        var page = Render();
        // HEAD too, which link checkers send; Kestrel sends no body for it.
        endpoints.MapMethods("/help/smtp-errors", [HttpMethods.Get, HttpMethods.Head], () => Results.Content(page, "text/html; charset=utf-8"));
        endpoints.MapGet("/help", () => Results.Redirect("/help/smtp-errors"));
        return endpoints;
    }

    private static string Render()
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.Append("<title>Why was my mail refused?</title><style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1f24}h2{margin-top:2.5rem;border-top:1px solid #ddd;padding-top:1rem}code{background:#f2f2f2;padding:0 .25rem;overflow-wrap:anywhere}dt{font-weight:600;margin-top:.75rem}dd{margin-left:0}</style></head><body>");
        html.Append("<h1>Why was my mail refused?</h1><p>When this mail gateway refuses a message, its reply ends with a code in brackets, such as <code>(CA1)</code>, and a link to this page. Find the code below: each section says what happened, why it usually happens and what to do.</p><ul>");
        foreach (var section in Sections)
        {
            html.Append($"<li><a href=\"#{section.Code}\">{section.Code}: {Encode(section.Title)}</a></li>");
        }

        html.Append("<li><a href=\"#other\">Replies without a code</a></li></ul>");
        foreach (var section in Sections)
        {
            html.Append($"<h2 id=\"{section.Code}\">{section.Code}: {Encode(section.Title)}</h2>");
            html.Append($"<p>The reply: <code>{Encode(section.Reply)}</code></p><dl>");
            html.Append($"<dt>What happened</dt><dd>{Encode(section.What)}</dd>");
            html.Append($"<dt>Likely causes</dt><dd>{Encode(section.Causes)}</dd>");
            html.Append($"<dt>What to do</dt><dd>{Encode(section.Action)}</dd></dl>");
        }

        html.Append("<h2 id=\"other\">Replies without a code</h2><dl>");
        foreach (var (anchor, reply, meaning) in OtherReplies)
        {
            var id = anchor is null ? string.Empty : $" id=\"{anchor}\"";
            html.Append($"<dt{id}><code>{Encode(reply)}</code></dt><dd>{Encode(meaning)}</dd>");
        }

        html.Append("</dl></body></html>");
        return html.ToString();
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private sealed record HelpSection(string Code, string Title, string Reply, string What, string Causes, string Action);
}
