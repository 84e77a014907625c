namespace Relayguard.Bounces.Tests;

public sealed class ReasonNamesTests
{
    [Theory]
    [InlineData(BounceReason.UserUnknown, "user-unknown")]
    [InlineData(BounceReason.HostUnknown, "host-unknown")]
    [InlineData(BounceReason.MailboxFull, "mailbox-full")]
    [InlineData(BounceReason.MessageTooLarge, "message-too-large")]
    [InlineData(BounceReason.PolicyBlocked, "policy-blocked")]
    [InlineData(BounceReason.SpamContent, "spam-content")]
    [InlineData(BounceReason.RateLimited, "rate-limited")]
    [InlineData(BounceReason.Expired, "expired")]
    [InlineData(BounceReason.Other, "other")]
    public void ToWire_Reason(BounceReason reason, string expected)
    {
        Assert.Equal(expected, ReasonNames.ToWire(reason));
    }

    [Fact]
    public void ToWire_EveryReasonHasAName()
    {
        foreach (var reason in Enum.GetValues<BounceReason>())
        {
            Assert.False(string.IsNullOrEmpty(ReasonNames.ToWire(reason)));
        }
    }

    [Fact]
    public void ToWire_UndefinedValueThrows()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ReasonNames.ToWire((BounceReason)99));
    }
}
