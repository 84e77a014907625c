using Relayguard.Gateway.Smtp;

namespace Relayguard.Gateway.Tests.Smtp;

public sealed class SmtpPathParserTests
{
    [Theory]
    [InlineData("<alice@example.com>", "alice@example.com")]
    [InlineData(" <alice@example.com>", "alice@example.com")]
    [InlineData("<@relay1.example,@relay2.example:bob@example.net>", "bob@example.net")]
    [InlineData("<\"john doe\"@example.org>", "\"john doe\"@example.org")]
    [InlineData("<\"a@b\"@example.org>", "\"a@b\"@example.org")]
    [InlineData("<user@[192.0.2.1]>", "user@[192.0.2.1]")]
    [InlineData("<user@[IPv6:2001:db8::1]>", "user@[IPv6:2001:db8::1]")]
    [InlineData("<user@[x-tag:some.content]>", "user@[x-tag:some.content]")]
    [InlineData("<user%other@example.com>", "user%other@example.com")]
    [InlineData("<postmaster>", "postmaster")]
    [InlineData("<PostMaster>", "PostMaster")]
    public void TryParse_ValidPath_ReturnsAddress(string argument, string expected)
    {
        Assert.True(SmtpPathParser.TryParse(argument, allowNull: false, out var address, out _, out _, out var error), error);
        Assert.Equal(expected, address);
    }

    [Theory]
    [InlineData("alice@example.com")]
    [InlineData("<alice@example.com")]
    [InlineData("<alice>")]
    [InlineData("<alice@example.com.>")]
    [InlineData("<a..b@example.com>")]
    [InlineData("<alice@exa mple.com>")]
    [InlineData("<>")]
    [InlineData("<bob@[not an ip]>")]
    [InlineData("<bob@[]>")]
    [InlineData("<bob@[192.0.2.300]>")]
    [InlineData("<bob@[IPv6:zz]>")]
    [InlineData("<bob@[IPv6:192.0.2.1]>")]
    [InlineData("<@relay.example:>")]
    [InlineData("<postmaster@>")]
    public void TryParse_InvalidRecipient_Fails(string argument)
    {
        Assert.False(SmtpPathParser.TryParse(argument, allowNull: false, out _, out _, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Theory]
    [InlineData("<@relay.example:>")]
    [InlineData("<postmaster>")]
    public void TryParse_InvalidSender_Fails(string argument)
    {
        Assert.False(SmtpPathParser.TryParse(argument, allowNull: true, out _, out _, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void TryParse_NullSender_Allowed()
    {
        Assert.True(SmtpPathParser.TryParse("<>", allowNull: true, out var address, out _, out _, out _));
        Assert.Equal(string.Empty, address);
    }

    [Fact]
    public void TryParse_Parameters_Collected()
    {
        Assert.True(SmtpPathParser.TryParse("<a@example.com> SIZE=1000 BODY=8BITMIME SMTPUTF8", allowNull: true, out _, out var parameters, out _, out _));
        Assert.Equal("1000", parameters["SIZE"]);
        Assert.Equal("8BITMIME", parameters["BODY"]);
        Assert.True(parameters.ContainsKey("SMTPUTF8"));
        Assert.Null(parameters["SMTPUTF8"]);
    }
}
