using static Relayguard.Bounces.Tests.TestMessages;

namespace Relayguard.Bounces.Tests;

/// <summary>Non-standard reports: plain text from qmail, Exim, Exchange, Gmail and others.</summary>
public sealed class PlainTextReportTests
{
    private const string Qmail = """
        From: MAILER-DAEMON@mx.example.net
        To: sender@example.com
        Subject: failure notice

        Hi. This is the qmail-send program at mx.example.net.
        I'm afraid I wasn't able to deliver your message to the following addresses.
        This is a permanent error; I've given up. Sorry it didn't work out.

        <gone@example.org>:
        192.0.2.7 does not like recipient.
        Remote host said: 550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown
        Giving up on 192.0.2.7.

        <full@example.org>:
        Remote host said: 552 5.2.2 Mailbox full

        --- Below this line is a copy of the message.

        Return-Path: <sender@example.com>
        To: gone@example.org, full@example.org
        Subject: hello
        """;

    private const string Exim = """
        From: Mail Delivery System <Mailer-Daemon@mx.example.net>
        To: sender@example.com
        Subject: Mail delivery failed: returning message to sender
        Auto-Submitted: auto-replied
        X-Failed-Recipients: gone@example.org

        This message was created automatically by mail delivery software.

        A message that you sent could not be delivered to one or more of its
        recipients. This is a permanent error. The following address(es) failed:

          gone@example.org
            SMTP error from remote mail server after RCPT TO:<gone@example.org>:
            host mx.example.org [192.0.2.7]: 550 5.1.1 <gone@example.org>... User Unknown

        ------ This is a copy of the message, including all the headers. ------

        From: sender@example.com
        To: gone@example.org
        """;

    private const string Exchange2003 = """
        From: System Administrator <postmaster@example.org>
        To: sender@example.com
        Subject: Undeliverable: hello

        Your message

          To:      gone@example.org
          Subject: hello

        did not reach the following recipient(s):

        gone@example.org on Thu, 29 Apr 2010 00:00:00 -0000
            The recipient name is not recognized
            MSEXCH:IMS:EXAMPLE:SITE:SERVER 0 (000C05A6) Unknown Recipient
        """;

    private const string Gmail = """
        From: Mail Delivery Subsystem <mailer-daemon@googlemail.example>
        To: sender@example.com
        Subject: Delivery Status Notification (Failure)

        Delivery to the following recipient failed permanently:

             gone@example.org

        Technical details of permanent failure:
        The remote server replied:
        550 5.1.1 <gone@example.org>... User Unknown

        ----- Original message -----

        From: sender@example.com
        """;

    private const string GmailDelay = """
        From: Mail Delivery Subsystem <mailer-daemon@googlemail.example>
        To: sender@example.com
        Subject: Delivery Status Notification (Delay)

        Delivery to the following recipient has been delayed:

             slow@example.org

        We will keep trying for two more days.
        """;

    private const string PostfixQuoted = """
        From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
        To: sender@example.com
        Subject: Undelivered Mail Returned to Sender

        This is the mail system at host mx.example.net.

        I'm sorry to have to inform you that your message could not
        be delivered to one or more recipients.

        <"x y"@bad.test>: host mx.bad.test[192.0.2.5] said: 550 5.1.1 <"x y"@bad.test>:
            Recipient address rejected: User unknown (in reply to RCPT TO command)

        <"a\"b"@bad.test>: host mx.bad.test[192.0.2.5] said: 550 5.1.1 No such user
            (in reply to RCPT TO command)
        """;

    private const string SendmailWarning = """
        From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.net>
        To: sender@example.com
        Subject: Warning: could not send message for past 4 hours

            **********************************************
            **      THIS IS A WARNING MESSAGE ONLY      **
            **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **
            **********************************************

        The original message was received at Mon, 2 Mar 2026 08:00:00 GMT

           ----- Transcript of session follows -----
        <slow@example.org>... Deferred: Connection timed out with mx.example.org.
        Warning: message still undelivered after 4 hours
        Will keep trying until message is 5 days old
        """;

    private const string Sendmail = """
        From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.net>
        To: sender@example.com
        Subject: Returned mail: see transcript for details
        Auto-Submitted: auto-generated (failure)

        The original message was received at Thu, 29 Apr 2010 00:00:00 +0000
        from client.example.com [192.0.2.1]

           ----- The following addresses had permanent fatal errors -----
        final@mail.example.org
            (reason: 550 5.1.1 User unknown)
            (expanded from: <alias@example.org>)

           ----- Transcript of session follows -----
        ... while talking to mail.example.org.:
        >>> DATA
        <<< 550 5.1.1 <final@mail.example.org>... User unknown
        550 5.1.1 final@mail.example.org... User unknown
        <<< 503 5.0.0 Need RCPT (recipient)
        """;

    private const string LotusNotes = """
        From: Postmaster@example.org
        To: sender@example.com
        Subject: DELIVERY FAILURE: User gone (gone@example.org) not listed in Domino Directory

        Your message

          Subject: hello

        was not delivered to:

          gone@example.org

        because:

          User gone (gone@example.org) not listed in Domino Directory
        """;

    private const string Yahoo = """
        From: MAILER-DAEMON@yahoo.example
        To: sender@example.com
        Subject: Failure Notice

        Sorry, we were unable to deliver your message to the following address.

        <gone@example.org>:
        Remote host said: 550 5.1.1 <gone@example.org>... User Unknown [RCPT_TO]

        --- Below this line is a copy of the message.
        """;

    private const string Sendmail8Transcript = """
        From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.net>
        To: sender@example.com
        Subject: Returned mail: Host unknown

           ----- Transcript of session follows -----
        550 nowhere.example.org (smtp)... 550 Host unknown
        554 <gone@nowhere.example.org>... 550 Host unknown
        554 <other@example.org>... Connection reset by peer

           ----- Unsent message follows -----
        From: sender@example.com
        """;

    private const string AwsNotification = """
        From: Bounces <no-reply@sns.example>
        To: ops@example.com
        Subject: AWS Notification Message

        {"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"gone@example.org","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"}]},"mail":{"messageId":"0101-abc"}}
        """;

    private const string TrendMicroStyleNoReason = """
        From: postmaster@example.org
        To: sender@example.com
        Subject: Mail could not be delivered

        The mail security gateway reports:

        Unable to deliver message to <gone@example.org>.
        """;

    public static TheoryData<string, string, string, BounceReason, bool> Reports => new()
    {
        { "qmail", Qmail, "gone@example.org", BounceReason.UserUnknown, true },
        { "Exim", Exim, "gone@example.org", BounceReason.UserUnknown, true },
        { "Exchange 2003", Exchange2003, "gone@example.org", BounceReason.UserUnknown, true },
        { "Gmail", Gmail, "gone@example.org", BounceReason.UserUnknown, true },
        { "Lotus Notes", LotusNotes, "gone@example.org", BounceReason.UserUnknown, true },
        { "Yahoo", Yahoo, "gone@example.org", BounceReason.UserUnknown, true },
        { "sendmail 8 transcript", Sendmail8Transcript, "gone@nowhere.example.org", BounceReason.HostUnknown, true },
        { "Amazon SES", AwsNotification, "gone@example.org", BounceReason.UserUnknown, true },
        { "no reason given", TrendMicroStyleNoReason, "gone@example.org", BounceReason.Other, false },
    };

    [Theory]
    [MemberData(nameof(Reports))]
    public void Report_FirstRecipient(string source, string raw, string address, BounceReason reason, bool invalid)
    {
        var result = Classify(raw);

        Assert.True(result.Kind == MessageKind.DeliveryReport, $"{source}: {result.Kind} ({result.Why})");
        var recipient = result.Recipients[0];
        Assert.Equal(address, recipient.Address);
        Assert.Equal(reason, recipient.Reason);
        Assert.Equal(invalid, recipient.AddressInvalid);
    }

    [Fact]
    public void Qmail_EachRecipientItsOwnReason()
    {
        var recipients = Classify(Qmail).Recipients;

        Assert.Equal(["gone@example.org", "full@example.org"], recipients.Select(r => r.Address));
        Assert.Equal(BounceReason.MailboxFull, recipients[1].Reason);
        Assert.Equal(552, recipients[1].ReplyCode);
    }

    [Fact]
    public void Exim_HeaderListsRecipients()
    {
        var raw = Exim.Replace("X-Failed-Recipients: gone@example.org", "X-Failed-Recipients: gone@example.org,\n  second@example.org", StringComparison.Ordinal);

        var result = Classify(raw);

        Assert.Equal(["gone@example.org", "second@example.org"], result.Recipients.Select(r => r.Address));
    }

    [Fact]
    public void Gmail_DelayIsDelayed()
    {
        var result = Classify(GmailDelay);

        Assert.Equal(MessageKind.DeliveryReport, result.Kind);
        var recipient = Assert.Single(result.Recipients);
        Assert.Equal("delayed", recipient.Action);
        Assert.False(recipient.Permanent);
    }

    [Fact]
    public void Postfix_QuotedLocalPartsWhole()
    {
        var recipients = Classify(PostfixQuoted).Recipients;

        Assert.Equal(["\"x y\"@bad.test", "\"a\\\"b\"@bad.test"], recipients.Select(r => r.Address));
        Assert.All(recipients, r => Assert.True(r.AddressInvalid));
    }

    [Fact]
    public void SendmailWarning_DelayNotExpired()
    {
        var recipient = Assert.Single(Classify(SendmailWarning).Recipients);

        Assert.Equal("delayed", recipient.Action);
        Assert.Equal(BounceReason.Other, recipient.Reason);
        Assert.False(recipient.Permanent);
    }

    [Fact]
    public void Sendmail_ExpandedFromKept()
    {
        var recipient = Assert.Single(Classify(Sendmail).Recipients);

        Assert.Equal("final@mail.example.org", recipient.Address);
        Assert.Equal("alias@example.org", recipient.OriginalAddress);
        Assert.True(recipient.AddressInvalid);
    }

    [Fact]
    public void Sendmail8_EachTranscriptLineItsOwnRecipient()
    {
        var recipients = Classify(Sendmail8Transcript).Recipients;

        Assert.Equal(2, recipients.Count);
        Assert.Equal(BounceReason.Expired, recipients[1].Reason);
        Assert.False(recipients[1].AddressInvalid);
    }

    [Fact]
    public void AwsDelivery_ReportWithoutRecipients()
    {
        var raw = AwsNotification.Replace("\"notificationType\":\"Bounce\"", "\"notificationType\":\"Delivery\"", StringComparison.Ordinal);

        var result = Classify(raw);

        Assert.Equal(MessageKind.DeliveryReport, result.Kind);
        Assert.Empty(result.Recipients);
    }

    [Fact]
    public void AwsComplaint_FeedbackReport()
    {
        var raw = AwsNotification.Replace("\"notificationType\":\"Bounce\"", "\"notificationType\":\"Complaint\"", StringComparison.Ordinal);

        Assert.Equal(MessageKind.FeedbackReport, Classify(raw).Kind);
    }

    [Fact]
    public void MailSystemBounceWithAutoSubmitted_IsReport()
    {
        var raw = Plain(
            "From: postmaster@mail.example.de\nTo: sender@example.com\nSubject: email bounce notification\nAuto-Submitted: auto-replied",
            "Your email was rejected: the mailbox of its recipient has no space left (mailbox full).");

        var result = Classify(raw);

        Assert.Equal(MessageKind.DeliveryReport, result.Kind);
    }

    [Fact]
    public void ReturnedOriginal_NamesTheRecipient()
    {
        var raw = """
            From: MMSC Administrator <sysadmin@mms.example.net>
            To: sender@example.com
            Subject: Undeliverable Message

            The multimedia message could not be delivered.
            Error: no valid recipients

            Original Message:
            From: Sender <sender@example.com>
            To: 5550100@mms.example.net
            Subject: hello
            """;

        var recipient = Assert.Single(Classify(raw).Recipients);

        Assert.Equal("5550100@mms.example.net", recipient.Address);
        Assert.Equal(BounceReason.UserUnknown, recipient.Reason);
    }

    [Fact]
    public void BareNames_TakeTheReportersDomain()
    {
        var raw = Plain(
            "From: Mail Delivery Subsystem <MAILER-DAEMON@mail.example.net>\nTo: sender@example.com\nSubject: Mail Delivery Problem",
            "Mail to the following recipients could not be delivered:\n\tscreenname");

        var recipient = Assert.Single(Classify(raw).Recipients);

        Assert.Equal("screenname@mail.example.net", recipient.Address);
    }
}
