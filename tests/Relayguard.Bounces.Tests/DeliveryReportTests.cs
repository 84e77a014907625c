using static Relayguard.Bounces.Tests.TestMessages;

namespace Relayguard.Bounces.Tests;

/// <summary>Reports in RFC 3464 form: multipart/report with a message/delivery-status part.</summary>
public sealed class DeliveryReportTests
{
    private const string TwoRecipients = """
        Final-Recipient: rfc822; gone@example.org
        Action: failed
        Status: 5.1.1
        Diagnostic-Code: smtp; 550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown

        Final-Recipient: rfc822; busy@example.org
        Action: delayed
        Status: 4.2.2
        Diagnostic-Code: smtp; 452 4.2.2 Mailbox full
        """;

    [Fact]
    public void Report_KindAndRecipients()
    {
        var result = Classify(Report(TwoRecipients));

        Assert.Equal(MessageKind.DeliveryReport, result.Kind);
        Assert.Equal(["gone@example.org", "busy@example.org"], result.Recipients.Select(r => r.Address));
    }

    [Fact]
    public void Report_FailedRecipient()
    {
        var unknownRecipient = Classify(Report(TwoRecipients)).Recipients[0];

        Assert.Equal("failed", unknownRecipient.Action);
        Assert.Equal(550, unknownRecipient.ReplyCode);
        Assert.Equal("5.1.1", unknownRecipient.Status);
        Assert.Equal(BounceReason.UserUnknown, unknownRecipient.Reason);
        Assert.True(unknownRecipient.AddressInvalid);
        Assert.True(unknownRecipient.Permanent);
        Assert.Contains("User unknown", unknownRecipient.Diagnostic, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_DelayedRecipient()
    {
        var fullMailbox = Classify(Report(TwoRecipients)).Recipients[1];

        Assert.Equal("delayed", fullMailbox.Action);
        Assert.Equal(BounceReason.MailboxFull, fullMailbox.Reason);
        Assert.False(fullMailbox.AddressInvalid);
        Assert.False(fullMailbox.Permanent);
    }

    [Fact]
    public void Report_DelayOnlyIsStillReport()
    {
        var fields = """
            Final-Recipient: rfc822; slow@example.org
            Action: delayed
            Status: 4.4.1
            Diagnostic-Code: X-Postfix; connect to mx.example.org[192.0.2.9]:25: Connection timed out
            """;

        var result = Classify(Report(fields, "This is a warning only. You do not need to resend your message."));

        Assert.Equal(MessageKind.DeliveryReport, result.Kind);
        Assert.Equal("delayed", Assert.Single(result.Recipients).Action);
    }

    [Fact]
    public void Report_SuccessListsNoRecipient()
    {
        var fields = """
            Final-Recipient: rfc822; ok@example.org
            Action: delivered
            Status: 2.0.0
            """;

        var result = Classify(Report(fields));

        Assert.Equal(MessageKind.DeliveryReport, result.Kind);
        Assert.Empty(result.Recipients);
    }

    [Fact]
    public void Report_OutranksAutoSubmitted()
    {
        var result = Classify(Report(TwoRecipients, extraHeaders: "Auto-Submitted: auto-replied\n"));

        Assert.Equal(MessageKind.DeliveryReport, result.Kind);
    }

    [Fact]
    public void Report_OriginalIds()
    {
        var result = Classify(Report(TwoRecipients, messageFields: "Reporting-MTA: dns; mx.example.net\nOriginal-Envelope-Id: RG-42"));

        Assert.Equal("RG-42", result.OriginalEnvelopeId);
        Assert.Equal("original-1@example.com", result.OriginalMessageId);
    }

    [Fact]
    public void Report_OriginalRecipientKept()
    {
        var fields = """
            Original-Recipient: rfc822; alias@example.org
            Final-Recipient: rfc822; real@example.org
            Action: failed
            Status: 5.1.1
            """;

        var recipient = Assert.Single(Classify(Report(fields)).Recipients);

        Assert.Equal("real@example.org", recipient.Address);
        Assert.Equal("alias@example.org", recipient.OriginalAddress);
    }

    [Fact]
    public void Report_GroupsWithoutBlankLine()
    {
        var fields = """
            Final-Recipient: rfc822; one@example.org
            Action: failed
            Status: 5.2.2
            Final-Recipient: rfc822; two@example.org
            Action: failed
            Status: 5.1.1
            """;

        var result = Classify(Report(fields));

        Assert.Equal(["one@example.org", "two@example.org"], result.Recipients.Select(r => r.Address));
    }

    [Fact]
    public void Report_GenericStatusRefinedByDiagnostic()
    {
        var fields = """
            Final-Recipient: rfc822; gone@example.org
            Action: failed
            Status: 5.0.0
            Diagnostic-Code: smtp; 550 5.1.1 user unknown
            """;

        var recipient = Assert.Single(Classify(Report(fields)).Recipients);

        Assert.Equal("5.1.1", recipient.Status);
        Assert.True(recipient.AddressInvalid);
    }

    [Fact]
    public void Report_DiagnosticBorrowedFromNotice()
    {
        var fields = """
            Final-Recipient: rfc822; gone@example.org
            Action: failed
            Status: 5.0.0
            """;
        var notice = "<gone@example.org>: host mx.example.org[192.0.2.7] said: 550 5.1.1\n    <gone@example.org>... User unknown (in reply to RCPT TO command)";

        var recipient = Assert.Single(Classify(Report(fields, notice)).Recipients);

        Assert.Equal(BounceReason.UserUnknown, recipient.Reason);
        Assert.True(recipient.AddressInvalid);
    }

    [Fact]
    public void Report_FilteredAfterDataNotInvalid()
    {
        var fields = """
            Final-Recipient: rfc822; user@example.jp
            Action: failed
            Status: 5.0.0
            Diagnostic-Code: smtp; 550 Unknown user user@example.jp
            """;
        var notice = "<user@example.jp>: host mx.example.jp[192.0.2.7] said: 550 Unknown user\n    user@example.jp (in reply to end of DATA command)";

        var recipient = Assert.Single(Classify(Report(fields, notice)).Recipients);

        Assert.Equal(BounceReason.PolicyBlocked, recipient.Reason);
        Assert.False(recipient.AddressInvalid);
    }

    [Fact]
    public void Report_QuotedLocalPartWithSpace()
    {
        var fields = """
            Final-Recipient: rfc822; "x y"@bad.test
            Original-Recipient: rfc822;"x y"@bad.test
            Action: failed
            Status: 5.1.1
            Remote-MTA: dns; mx.bad.test
            Diagnostic-Code: smtp; 550 5.1.1 <"x y"@bad.test>: Recipient address rejected: User unknown
            """;
        var notice = "<\"x y\"@bad.test>: host mx.bad.test[192.0.2.5] said: 550 5.1.1\n    <\"x y\"@bad.test>: Recipient address rejected: User unknown (in reply to RCPT TO command)";

        var recipient = Assert.Single(Classify(Report(fields, notice)).Recipients);

        Assert.Equal("\"x y\"@bad.test", recipient.Address);
        Assert.Null(recipient.OriginalAddress);
        Assert.Equal(BounceReason.UserUnknown, recipient.Reason);
        Assert.True(recipient.AddressInvalid);
    }

    [Fact]
    public void Report_QuotedLocalPartWithEscapes()
    {
        var fields = """
            Final-Recipient: rfc822; <"a\"b c\\d"@bad.test>
            Action: failed
            Status: 5.1.1
            Diagnostic-Code: smtp; 550 5.1.1 User unknown
            """;

        var recipient = Assert.Single(Classify(Report(fields)).Recipients);

        Assert.Equal("\"a\\\"b c\\\\d\"@bad.test", recipient.Address);
    }

    [Fact]
    public void Report_QuotedNoticeMatchesPlainField()
    {
        var fields = """
            Final-Recipient: rfc822; other@bad.test
            Action: failed
            Status: 5.0.0

            Final-Recipient: rfc822; q.r@bad.test
            Action: failed
            Status: 5.0.0
            """;
        var notice = """
            <other@bad.test>: host mx.bad.test[192.0.2.5] said: 552 5.2.2 Mailbox full (in
                reply to RCPT TO command)

            <"q.r"@bad.test>: host mx.bad.test[192.0.2.5] said: 550 5.1.1 User unknown (in
                reply to RCPT TO command)
            """;

        var recipients = Classify(Report(fields, notice)).Recipients;

        Assert.Equal(["other@bad.test", "q.r@bad.test"], recipients.Select(r => r.Address));
        Assert.Equal(BounceReason.UserUnknown, recipients[1].Reason);
        Assert.True(recipients[1].AddressInvalid);
    }

    [Fact]
    public void Report_SmtpUtf8RequiredIsOther()
    {
        var fields = """
            Final-Recipient: rfc822; user@bad.test
            Action: failed
            Status: 5.6.7
            Remote-MTA: dns; mx.bad.test
            Diagnostic-Code: X-Postfix; SMTPUTF8 is required, but was not offered by host mx.bad.test[192.0.2.5]
            """;

        var recipient = Assert.Single(Classify(Report(fields)).Recipients);

        Assert.Equal(BounceReason.Other, recipient.Reason);
        Assert.False(recipient.AddressInvalid);
        Assert.True(recipient.Permanent);
    }

    [Fact]
    public void Report_SendmailDelayNotExpired()
    {
        var fields = """
            Final-Recipient: RFC822; slow@example.org
            Action: delayed
            Status: 4.4.7
            Remote-MTA: DNS; mx.example.org
            Will-Retry-Until: Sat, 7 Mar 2026 08:00:00 GMT
            """;
        var notice = """
                **********************************************
                **      THIS IS A WARNING MESSAGE ONLY      **
                **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **
                **********************************************

            The original message was received at Mon, 2 Mar 2026 08:00:00 GMT

               ----- Transcript of session follows -----
            <slow@example.org>... Deferred: Connection timed out with mx.example.org.
            Warning: could not send message for past 4 hours
            Will keep trying until message is 5 days old
            """;

        var recipient = Assert.Single(Classify(Report(fields, notice)).Recipients);

        Assert.Equal("delayed", recipient.Action);
        Assert.Equal(BounceReason.Other, recipient.Reason);
        Assert.False(recipient.Permanent);
    }

    [Fact]
    public void Report_ChallengeIsAutoReply()
    {
        var fields = """
            Final-Recipient: rfc822; friend@example.org
            Action: failed
            Status: 4.7.0
            Diagnostic-Code: X-Challenge; sender not pre-approved by the recipient
            """;

        var result = Classify(Report(fields, "Join my guest list to reach me."));

        Assert.Equal(MessageKind.AutoReply, result.Kind);
        Assert.Empty(result.Recipients);
    }

    [Fact]
    public void Report_BoundaryMismatchRecovered()
    {
        var raw = """
            From: MAILER-DAEMON@mx.example.net
            To: sender@example.com
            Subject: Undelivered Mail Returned to Sender
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="header-boundary"

            This is a MIME-encapsulated message.

            --body-boundary
            Content-Type: text/plain

            The mail system

            --body-boundary
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.example.net

            Final-Recipient: rfc822; gone@example.org
            Action: failed
            Status: 5.1.1

            --body-boundary--
            """;

        var result = Classify(raw);

        Assert.Equal(MessageKind.DeliveryReport, result.Kind);
        Assert.Equal("gone@example.org", Assert.Single(result.Recipients).Address);
    }

    [Fact]
    public void Report_WrappedReportRead()
    {
        var inner = Report("Final-Recipient: rfc822; gone@example.org\nAction: failed\nStatus: 5.1.1");
        var raw = $"""
            From: "Mail Delivery Subsystem" <MAILER-DAEMON@filter.example.net>
            To: notifications@filter.example.net
            Subject: Returned mail: User unknown
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="w1"

            --w1
            Content-Type: text/plain

            The following addresses had permanent delivery errors

            --w1
            Content-Type: message/rfc822

            {inner}
            --w1--
            """;

        var result = Classify(raw);

        Assert.Equal(MessageKind.DeliveryReport, result.Kind);
        Assert.Equal("gone@example.org", Assert.Single(result.Recipients).Address);
    }
}
