using static Relayguard.Bounces.Tests.TestMessages;

namespace Relayguard.Bounces.Tests;

/// <summary>Messages that are not delivery reports, and the signals that tell them apart.</summary>
public sealed class MessageKindTests
{
    private const string OutOfOffice = """
        From: Person <person@example.org>
        To: sender@example.com
        Subject: Out of Office: hello
        Auto-Submitted: auto-replied

        I am away until Monday and cannot read your message.
        """;

    private const string ExchangeAutoReply = """
        From: Person <person@example.org>
        To: sender@example.com
        Subject: hello
        X-Auto-Response-Suppress: All

        Thank you for your message.
        """;

    private const string GermanAbsence = """
        From: Person <person@example.org>
        To: sender@example.com
        Subject: Abwesenheitsnotiz: hello

        Ich bin bis Montag nicht im Büro.
        """;

    private const string ReadReceipt = """
        From: Person <person@example.org>
        To: sender@example.com
        Subject: Read: hello
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=disposition-notification; boundary="r1"

        --r1
        Content-Type: text/plain

        Your message was read.

        --r1
        Content-Type: message/disposition-notification

        Final-Recipient: rfc822; person@example.org
        Disposition: manual-action/MDN-sent-manually; displayed

        --r1--
        """;

    private const string Feedback = """
        From: feedback@isp.example
        To: abuse@example.com
        Subject: FW: hello
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=feedback-report; boundary="f1"

        --f1
        Content-Type: text/plain

        This is an abuse report.

        --f1
        Content-Type: message/feedback-report

        Feedback-Type: abuse
        User-Agent: Example-FBL/1.0
        Version: 1

        --f1--
        """;

    private const string ComplaintWithoutArf = """
        From: staff@mail.example
        To: abuse@example.com
        Subject: complaint about message from 192.0.2.1
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="c1"

        --c1
        Content-Type: message/rfc822

        X-HmXmrOriginalRecipient: person@example.org
        From: sender@example.com
        To: person@example.org
        Subject: hello

        hello
        --c1--
        """;

    private const string AttachesMessage = """
        From: Person <person@example.org>
        To: friend@example.net
        Subject: original as attachment
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="a1"

        --a1
        Content-Type: text/plain

        See the attached message.

        --a1
        Content-Type: message/rfc822

        From: MAILER-DAEMON@mx.example.net
        Subject: Undelivered Mail Returned to Sender
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

        --b1
        Content-Type: message/delivery-status

        Final-Recipient: rfc822; gone@example.org
        Action: failed
        Status: 5.1.1

        --b1--

        --a1--
        """;

    private const string ForwardedBounce = """
        From: Person <person@example.org>
        To: helpdesk@example.net
        Subject: Fwd: Undelivered Mail Returned to Sender

        Why did this bounce?

        Begin forwarded message:

        > From: MAILER-DAEMON@mx.example.net
        > Subject: Undelivered Mail Returned to Sender
        >
        > I'm sorry to have to inform you that your message could not
        > be delivered to one or more recipients.
        >
        > <gone@example.org>: host mx.example.org said: 550 5.1.1 User unknown
        """;

    private const string QuotedBounceInReply = """
        From: Person <person@example.org>
        To: helpdesk@example.net
        Subject: Re: my mail came back

        It still happens, see below.

        ---------- Forwarded message ---------
        This message was created automatically by mail delivery software.
        A message that you sent could not be delivered to one or more of its recipients.
        """;

    private const string NullSenderNotification = """
        From: Calendar <noreply@calendar.example>
        To: person@example.org
        Subject: Reminder: meeting at 10:00

        Your meeting starts in 15 minutes.
        """;

    private const string ChallengeResponse = """
        From: noreply@filter.example
        To: sender@example.com
        Subject: Re: hello (Action Required)

        Hello,

        Please click the link below to be added to my approved senders list, so that your
        message is delivered: https://filter.example/verify?id=1
        """;

    public static TheoryData<string, string, MessageKind> Messages => new()
    {
        { "out-of-office with Auto-Submitted", OutOfOffice, MessageKind.AutoReply },
        { "Exchange auto-reply header", ExchangeAutoReply, MessageKind.AutoReply },
        { "German absence subject", GermanAbsence, MessageKind.AutoReply },
        { "read receipt", ReadReceipt, MessageKind.ReadReceipt },
        { "ARF report", Feedback, MessageKind.FeedbackReport },
        { "complaint without ARF", ComplaintWithoutArf, MessageKind.FeedbackReport },
        { "attached report", AttachesMessage, MessageKind.Ordinary },
        { "forwarded report", ForwardedBounce, MessageKind.Ordinary },
        { "report pasted below a forward marker", QuotedBounceInReply, MessageKind.Ordinary },
        { "notification from a no-reply address", NullSenderNotification, MessageKind.Ordinary },
        { "challenge-response", ChallengeResponse, MessageKind.AutoReply },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Classify_Kind(string name, string raw, MessageKind kind)
    {
        var result = Classify(raw);

        Assert.True(result.Kind == kind, $"{name}: expected {kind}, got {result.Kind} ({result.Why})");
        Assert.Empty(result.Recipients);
    }

    [Fact]
    public void Classify_WhyNamesTheSignal()
    {
        var result = Classify(OutOfOffice);

        Assert.Equal("Auto-Submitted: auto-replied", result.Why);
    }
}
