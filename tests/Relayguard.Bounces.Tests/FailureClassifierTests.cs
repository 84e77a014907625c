namespace Relayguard.Bounces.Tests;

public sealed class FailureClassifierTests
{
    public static TheoryData<int?, string?, string?, BounceReason, bool, bool> Failures => new()
    {
        // Invalid addresses: the code or the wording states that the address or its domain does not exist.
        { 550, "5.1.1", "<a@example.org>: Recipient address rejected: User unknown in local recipient table", BounceReason.UserUnknown, true, true },
        { 550, "5.1.1", "The email account that you tried to reach does not exist.", BounceReason.UserUnknown, true, true },
        { 550, "5.1.10", "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup", BounceReason.UserUnknown, true, true },
        { 550, "5.1.2", "Host or domain name not found", BounceReason.HostUnknown, true, true },
        { 550, "5.1.6", "Recipient has moved; no forwarding address", BounceReason.UserUnknown, true, true },
        { 550, null, "Utilisateur inconnu", BounceReason.UserUnknown, true, true },
        { null, null, "Unknown user: a@example.org", BounceReason.UserUnknown, true, true },
        { 550, "5.4.1", "<a@example.org>: Recipient address rejected: Access denied. AS(201806281)", BounceReason.UserUnknown, true, true },

        // The wording decides over 5.1.1: rate limits, policies and spam are not invalid addresses.
        { 550, "5.1.1", "Rate limit exceeded for this sender, try later", BounceReason.RateLimited, false, true },
        { 550, "5.1.1", "Message rejected by recipient policy", BounceReason.PolicyBlocked, false, true },
        { 550, "5.1.1", "Message classified as spam", BounceReason.SpamContent, false, true },
        { 550, "5.1.1", "Refused due to recipient preferences", BounceReason.PolicyBlocked, false, true },
        { 550, "5.1.1", "The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered. Please resend your message at a later time.", BounceReason.RateLimited, false, true },
        { 550, "5.1.1", "You have exceeded the maximum number of messages per hour", BounceReason.RateLimited, false, true },
        { 550, "5.1.1", "Rate exceeded for this recipient", BounceReason.RateLimited, false, true },

        // A reply that requests another try later does not state that the address is gone.
        { 550, "5.1.1", "Mailbox unavailable, please try again later", BounceReason.Other, false, true },
        { 550, "5.1.1", "User unknown, try again later", BounceReason.UserUnknown, false, true },

        // Words inside URLs and addresses do not count.
        { 550, "5.1.1", "User unknown. See https://help.example.net/spam-and-rate-limits", BounceReason.UserUnknown, true, true },
        { 550, "5.1.1", "<spam@example.org>: User unknown", BounceReason.UserUnknown, true, true },

        // A status that names another cause keeps "user unknown" from counting, unless it was the reply to RCPT.
        { 550, "5.2.1", "<a@example.org>... User Unknown", BounceReason.Other, false, true },
        { 550, "5.7.1", "550 User Unknown", BounceReason.PolicyBlocked, false, true },
        { 550, "5.2.1", "SMTP error from remote mail server after RCPT TO:<a@example.org>: 550 5.2.1 User Unknown", BounceReason.UserUnknown, true, true },

        // Under 5.7.x, a sentence that the address does not exist counts unless the text also names a policy.
        { 550, "5.7.1", "Recipient address does not exist", BounceReason.UserUnknown, true, true },
        { 550, "5.7.1", "No such user here", BounceReason.UserUnknown, true, true },
        { 550, "5.7.1", "No mailbox found", BounceReason.UserUnknown, true, true },
        { 550, "5.7.1", "Recipient does not exist or the request was denied", BounceReason.PolicyBlocked, false, true },
        { 550, "5.7.1", "Recipient address does not exist; sender blocked", BounceReason.PolicyBlocked, false, true },

        // A rejection after DATA comes from a content filter, unless the status is an address status.
        { 550, "5.0.0", "550 Unknown user a@example.org (in reply to end of DATA command)", BounceReason.PolicyBlocked, false, true },
        { 550, "5.1.1", "550 5.1.1 Unknown user (in reply to end of DATA command)", BounceReason.UserUnknown, true, true },

        // au by KDDI replies to a domain-filter rejection with an empty address slot.
        { 550, "5.0.0", "550 : User unknown", BounceReason.PolicyBlocked, false, true },
        { 550, "5.0.0", "550 <a@example.jp>: User unknown", BounceReason.UserUnknown, true, true },

        // Temporary failures are never invalid addresses.
        { 450, "4.1.1", "User unknown, try again later", BounceReason.UserUnknown, false, false },
        { 451, "4.7.1", "Greylisted, please try again in 300 seconds", BounceReason.PolicyBlocked, false, false },
        { 421, "4.7.0", "Messages temporarily deferred due to unexpected volume", BounceReason.RateLimited, false, false },
        { null, "4.4.7", "Message expired: unable to deliver in 840 minutes", BounceReason.Expired, false, false },
        { 450, "4.4.3", "Name service error for domain example.org: Host not found, try again", BounceReason.Other, false, false },

        // Other classes.
        { 552, "5.2.2", "Mailbox full", BounceReason.MailboxFull, false, true },
        { 452, "4.2.2", "Over quota", BounceReason.MailboxFull, false, false },
        { 554, "5.3.4", "Message too big for system", BounceReason.MessageTooLarge, false, true },
        { 554, "5.7.1", "Client host [192.0.2.1] blocked using zen.spamhaus.org", BounceReason.PolicyBlocked, false, true },
        { 550, "5.7.1", "Message rejected: virus found", BounceReason.SpamContent, false, true },
        { 550, null, "Postfach voll", BounceReason.MailboxFull, false, true },
        { 550, "5.2.1", "The email account that you tried to reach is disabled.", BounceReason.Other, false, true },
        { 554, null, "554 Service unavailable", BounceReason.Other, false, true },

        // 5.6.x refusals of a format or a protocol feature are not judgements of the content.
        { 550, "5.6.7", "SMTPUTF8 is required, but was not offered by host mx.bad.test[192.0.2.5]", BounceReason.Other, false, true },
        { 554, "5.6.3", "Conversion required but not supported", BounceReason.Other, false, true },
        { null, null, null, BounceReason.Other, false, true },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Classify_Failure(int? replyCode, string? status, string? text, BounceReason reason, bool invalid, bool permanent)
    {
        var result = FailureClassifier.Classify(replyCode, status, text);

        Assert.Equal(reason, result.Reason);
        Assert.Equal(invalid, result.AddressInvalid);
        Assert.Equal(permanent, result.Permanent);
    }

    [Fact]
    public void Classify_DelayedActionIsNotPermanent()
    {
        var result = FailureClassifier.Classify(null, null, "connection timed out", "delayed", SmtpStage.Unknown);

        Assert.False(result.Permanent);
        Assert.Equal(BounceReason.Other, result.Reason);
    }

    [Theory]
    [InlineData(null, "4.4.7", "Delivery to the following recipients has been delayed.")]
    [InlineData(null, "4.4.1", "Warning: could not send message for past 4 hours")]
    [InlineData(421, "4.4.7", "Message delayed: retry timeout not yet reached, will keep trying")]
    public void Classify_DelayNotExpired(int? replyCode, string status, string text)
    {
        var result = FailureClassifier.Classify(replyCode, status, text, "delayed", SmtpStage.Unknown);

        Assert.Equal(BounceReason.Other, result.Reason);
        Assert.False(result.Permanent);
    }

    [Fact]
    public void Classify_FailedUnreachableServerExpired()
    {
        var result = FailureClassifier.Classify(null, null, "The recipient server did not accept our requests to connect.", "failed", SmtpStage.Unknown);

        Assert.Equal(BounceReason.Expired, result.Reason);
        Assert.True(result.Permanent);
        Assert.False(result.AddressInvalid);
    }

    [Fact]
    public void Classify_HugeTextStaysBounded()
    {
        var text = string.Concat(Enumerable.Repeat("a@b.c-d ", 200_000)) + " user unknown";

        var result = FailureClassifier.Classify(550, null, text);

        Assert.Equal(BounceReason.Other, result.Reason);
    }
}
