using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Relayguard.Gateway.Help;

/// <summary>The public help page that every refusal links to: one section per rule code.</summary>
public static class HelpPages
{
    private static readonly (string Code, string Title, string What, string Causes, string Action)[] Sections =
    [
        ("CA1", "Account blocked: messages to addresses that do not exist",
            "Many recent messages from your account went to addresses or domains that do not exist, so sending from the account was stopped. You can still log in.",
            "A password that others have learned and now use to send junk; or a mailing list that was never cleaned of old addresses.",
            "If you did not send those messages, change your password now. Then contact support: only support can lift this block. Remove invalid addresses from your lists before sending again."),
        ("CA2", "Address blocked: several messages scored as spam",
            "Several messages from your IP address were scored as spam within a few minutes, so mail from that address is refused until the time given in the reply.",
            "Malware on a computer or device in your network sending mail; a web form or script abused to send spam; or a newsletter that looks like spam.",
            "Check the computers and devices behind that address for malware and secure any web forms. The block expires by itself; support can lift it earlier once the cause is fixed."),
        ("BO1", "Bounce messages are not accepted",
            "Your server tried to send a non-delivery report (a bounce) through this gateway. Bounces for mail you received go to forged senders and cause backscatter, so they are refused.",
            "A mail server that accepts mail first and bounces it later, instead of rejecting invalid recipients during the SMTP session.",
            "Configure your mail server to reject mail for unknown recipients at SMTP time (a 550 reply during RCPT TO) instead of sending bounces. Repeated bounces block all null-sender mail from you for a day."),
        ("RL1", "Too many messages this hour",
            "Your account or address reached its hourly limit of messages or recipients.",
            "A large mailing, or an account or device sending far more than usual.",
            "Your mail server will retry on its own. For regular large mailings, ask support for a higher limit."),
        ("OP1", "Blocked by the provider",
            "An operator at your provider blocked sending from your account or address.",
            "Usually a complaint, a security incident, or an unpaid account.",
            "Contact support to learn why and what is needed to lift the block."),
    ];

    public static IEndpointRouteBuilder MapHelpPages(this IEndpointRouteBuilder endpoints)
    {
        var page = Render();
        endpoints.MapGet("/help/smtp-errors", () => Results.Content(page, "text/html; charset=utf-8"));
        endpoints.MapGet("/help", () => Results.Redirect("/help/smtp-errors"));
        return endpoints;
    }

    private static string Render()
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.Append("<title>Why was my mail refused?</title><style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1f24}h2{margin-top:2.5rem;border-top:1px solid #ddd;padding-top:1rem}code{background:#f2f2f2;padding:0 .25rem}dt{font-weight:600;margin-top:.75rem}</style></head><body>");
        html.Append("<h1>Why was my mail refused?</h1><p>Every refusal from this mail gateway ends with a code in brackets, such as <code>(CA1)</code>. Find the code below.</p><ul>");
        foreach (var section in Sections)
        {
            html.Append($"<li><a href=\"#{section.Code}\">{section.Code}: {section.Title}</a></li>");
        }

        html.Append("</ul>");
        foreach (var section in Sections)
        {
            html.Append($"<h2 id=\"{section.Code}\">{section.Code}: {section.Title}</h2><dl>");
            html.Append($"<dt>What happened</dt><dd>{section.What}</dd>");
            html.Append($"<dt>Likely causes</dt><dd>{section.Causes}</dd>");
            html.Append($"<dt>What to do</dt><dd>{section.Action}</dd></dl>");
        }

        html.Append("</body></html>");
        return html.ToString();
    }
}
