namespace Relayguard.Bounces.Tests;

public sealed class ReplyTextTests
{
    [Theory]
    [InlineData("550 5.1.1 <a@example.org>... User unknown", 550)]
    [InlineData("host mx.example.org[192.0.2.7] said: 552 5.2.2 Mailbox full", 552)]
    [InlineData("#550 5.1.1 RESOLVER.ADR.RecipNotFound", 550)]
    [InlineData("ERROR_CODE :550, ERROR_CODE :5.1.1", 550)]
    [InlineData("[554 5.4.6 Hop count exceeded]", 554)]
    [InlineData("Out: 250 2.1.5 Ok\nOut: 451 4.3.0 Error: queue file write error", 451)]
    [InlineData("connect to 192.0.2.450:25 failed", null)]
    [InlineData("Customer Support at 480-624-2500", null)]
    [InlineData("no code here", null)]
    public void FindReplyCode_Text(string text, int? expected)
    {
        Assert.Equal(expected, ReplyText.FindReplyCode(text));
    }

    [Theory]
    [InlineData("550 5.1.1 User unknown", "5.1.1")]
    [InlineData("Sorry, no mailbox here by that name. (#5.1.1)", "5.1.1")]
    [InlineData("550 5.7.509 Access denied", "5.7.509")]
    [InlineData("host 192.0.2.45 refused", null)]
    [InlineData("deferred - 4.16.55.1; see the error codes", null)]
    [InlineData("250 2.0.0 Ok", null)]
    public void FindStatus_Text(string text, string? expected)
    {
        Assert.Equal(expected, ReplyText.FindStatus(text));
    }
}
