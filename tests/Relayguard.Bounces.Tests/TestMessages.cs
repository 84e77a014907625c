using System.Text;

namespace Relayguard.Bounces.Tests;

/// <summary>Builds small messages for the tests and classifies them.</summary>
internal static class TestMessages
{
    public static Classification Classify(string raw)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(raw.ReplaceLineEndings("\r\n")));
        return new BounceClassifier().Classify(stream);
    }

    /// <summary>
    /// Returns an RFC 3464 report from MAILER-DAEMON with the given per-recipient fields, notice
    /// text and extra top-level headers, and a returned copy of the original headers.
    /// </summary>
    public static string Report(string recipientFields, string notice = "Your message could not be delivered.", string extraHeaders = "", string messageFields = "Reporting-MTA: dns; mx.example.net")
    {
        return $"""
            From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
            To: sender@example.com
            Subject: Undelivered Mail Returned to Sender
            {extraHeaders}MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

            --b1
            Content-Type: text/plain; charset=us-ascii

            {notice}

            --b1
            Content-Type: message/delivery-status

            {messageFields}

            {recipientFields}

            --b1
            Content-Type: text/rfc822-headers

            From: sender@example.com
            To: someone@example.org
            Subject: Hello
            Message-ID: <original-1@example.com>

            --b1--
            """;
    }

    /// <summary>Returns a single-part message with the given headers and body.</summary>
    public static string Plain(string headers, string body) => headers.TrimEnd() + "\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n" + body;
}
