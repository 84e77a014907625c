using Relayguard.Gateway.Smtp;

namespace Relayguard.Gateway.Tests.Smtp;

public sealed class DsnParametersTests
{
    private const string NotifyForms = "use NEVER alone, or a comma-separated list of SUCCESS, FAILURE and DELAY with each at most once";

    private const string OriginalRecipientForm = "use an address type, a semicolon and the address as xtext, as in rfc822;bob@example.net";

    [Theory]
    [InlineData("NEVER")]
    [InlineData("never")]
    [InlineData("SUCCESS")]
    [InlineData("FAILURE")]
    [InlineData("DELAY")]
    [InlineData("SUCCESS,FAILURE")]
    [InlineData("success,failure")]
    [InlineData("Failure,Delay")]
    [InlineData("DELAY,SUCCESS,FAILURE")]
    public void CheckNotify_ValidValue_Accepted(string value)
    {
        Assert.Null(DsnParameters.CheckNotify(value));
    }

    [Theory]
    [InlineData("SOMETIMES")]
    [InlineData("NEVER,SUCCESS")]
    [InlineData("FAILURE,NEVER")]
    [InlineData("NEVER,NEVER")]
    [InlineData("SUCCESS,SUCCESS")]
    [InlineData("success,SUCCESS")]
    [InlineData("")]
    [InlineData("SUCCESS,")]
    [InlineData(",FAILURE")]
    [InlineData("SUCCESS,,FAILURE")]
    [InlineData("SUCCESS;FAILURE")]
    public void CheckNotify_InvalidValue_Gets501(string value)
    {
        var reply = DsnParameters.CheckNotify(value);

        Assert.NotNull(reply);
        Assert.Equal($"501 5.5.4 Invalid NOTIFY value '{value}': {NotifyForms}", reply.ToString());
    }

    [Fact]
    public void CheckNotify_WithoutValue_Gets501()
    {
        var reply = DsnParameters.CheckNotify(null);

        Assert.NotNull(reply);
        Assert.Equal($"501 5.5.4 Invalid NOTIFY value '': {NotifyForms}", reply.ToString());
    }

    [Theory]
    [InlineData("rfc822;bob@example.net")]
    [InlineData("RFC822;bob@example.net")]
    [InlineData("rfc822;bob+2Bnews@example.net")]
    [InlineData("rfc822;\"a+20b\"@example.net")]
    [InlineData("x-local;12345")]
    [InlineData("utf-8;bjørn@example.net")]
    public void CheckOriginalRecipient_ValidValue_Accepted(string value)
    {
        Assert.Null(DsnParameters.CheckOriginalRecipient(value));
    }

    [Theory]
    [InlineData("rfc822bob@example.net", OriginalRecipientForm)]
    [InlineData(";bob@example.net", OriginalRecipientForm)]
    [InlineData("rfc822;", OriginalRecipientForm)]
    [InlineData("rfc(822);bob@example.net", OriginalRecipientForm)]
    [InlineData("rfc822;bob+2bnews@example.net", "in xtext '+' must be followed by two upper-case hex digits, as in +2B for '+'")]
    [InlineData("rfc822;bob@example.net+2", "in xtext '+' must be followed by two upper-case hex digits, as in +2B for '+'")]
    [InlineData("rfc822;bob+news@example.net", "in xtext '+' must be followed by two upper-case hex digits, as in +2B for '+'")]
    [InlineData("rfc822;bob=news@example.net", "in xtext '=' must be written as +3D")]
    [InlineData("rfc822;bob+0A@example.net", "+0A encodes a control character or an octet outside ASCII, which DSN parameters do not allow")]
    [InlineData("rfc822;bob+C3+A9@example.net", "+C3 encodes a control character or an octet outside ASCII, which DSN parameters do not allow")]
    [InlineData("rfc822;bjørn@example.net", "non-ASCII characters are allowed only in ORCPT with the address type utf-8")]
    public void CheckOriginalRecipient_InvalidValue_Gets501(string value, string reason)
    {
        var reply = DsnParameters.CheckOriginalRecipient(value);

        Assert.NotNull(reply);
        Assert.Equal($"501 5.5.4 Invalid ORCPT value '{value}': {reason}", reply.ToString());
    }

    [Fact]
    public void CheckOriginalRecipient_WithoutValue_Gets501()
    {
        var reply = DsnParameters.CheckOriginalRecipient(null);

        Assert.NotNull(reply);
        Assert.Equal($"501 5.5.4 Invalid ORCPT value '': {OriginalRecipientForm}", reply.ToString());
    }

    [Theory]
    [InlineData("FULL")]
    [InlineData("HDRS")]
    [InlineData("hdrs")]
    public void CheckReturn_ValidValue_Accepted(string value)
    {
        Assert.Null(DsnParameters.CheckReturn(value));
    }

    [Theory]
    [InlineData("NONE")]
    [InlineData("FULL,HDRS")]
    [InlineData("")]
    [InlineData(null)]
    public void CheckReturn_InvalidValue_Gets501(string? value)
    {
        var reply = DsnParameters.CheckReturn(value);

        Assert.NotNull(reply);
        Assert.Equal($"501 5.5.4 Invalid RET value '{value}': use FULL or HDRS", reply.ToString());
    }

    [Theory]
    [InlineData("abc123")]
    [InlineData("QQ314159@client.example")]
    [InlineData("id+2Bwith+3Dsigns")]
    public void CheckEnvelopeId_ValidValue_Accepted(string value)
    {
        Assert.Null(DsnParameters.CheckEnvelopeId(value));
    }

    [Fact]
    public void CheckEnvelopeId_HundredCharacters_Accepted()
    {
        Assert.Null(DsnParameters.CheckEnvelopeId(new string('a', 100)));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void CheckEnvelopeId_Empty_Gets501(string? value)
    {
        var reply = DsnParameters.CheckEnvelopeId(value);

        Assert.NotNull(reply);
        Assert.Equal("501 5.5.4 Invalid ENVID value '': use 1 to 100 characters of xtext", reply.ToString());
    }

    [Fact]
    public void CheckEnvelopeId_TooLong_Gets501()
    {
        var value = new string('a', 101);

        var reply = DsnParameters.CheckEnvelopeId(value);

        Assert.NotNull(reply);
        Assert.Equal($"501 5.5.4 Invalid ENVID value '{value}': use 1 to 100 characters of xtext", reply.ToString());
    }

    [Theory]
    [InlineData("a=b", "in xtext '=' must be written as +3D")]
    [InlineData("a+2bb", "in xtext '+' must be followed by two upper-case hex digits, as in +2B for '+'")]
    [InlineData("a+7F", "+7F encodes a control character or an octet outside ASCII, which DSN parameters do not allow")]
    [InlineData("idé", "non-ASCII characters are allowed only in ORCPT with the address type utf-8")]
    public void CheckEnvelopeId_InvalidXtext_Gets501(string value, string reason)
    {
        var reply = DsnParameters.CheckEnvelopeId(value);

        Assert.NotNull(reply);
        Assert.Equal($"501 5.5.4 Invalid ENVID value '{value}': {reason}", reply.ToString());
    }

    [Theory]
    [InlineData("abc", "abc")]
    [InlineData("a+2Bb+3Dc", "a+b=c")]
    [InlineData("a+20b+09c", "a b\tc")]
    [InlineData("+41", "A")]
    public void TryDecodeXtext_ValidText_Decoded(string text, string expected)
    {
        Assert.True(DsnParameters.TryDecodeXtext(text, allowUtf8: false, out var decoded, out var error), error);
        Assert.Equal(expected, decoded);
    }

    [Theory]
    [InlineData("a b", "in xtext a space or tab must be written as +20")]
    [InlineData("a\u0001b", "control characters are not allowed")]
    [InlineData("+", "in xtext '+' must be followed by two upper-case hex digits, as in +2B for '+'")]
    [InlineData("+4g", "in xtext '+' must be followed by two upper-case hex digits, as in +2B for '+'")]
    public void TryDecodeXtext_InvalidText_Fails(string text, string expected)
    {
        Assert.False(DsnParameters.TryDecodeXtext(text, allowUtf8: false, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("<b@example.net> NOTIFY=NEVER NOTIFY=SUCCESS", "NOTIFY")]
    [InlineData("<b@example.net> NOTIFY=NEVER notify=NEVER", "NOTIFY")]
    [InlineData("<b@example.net> ORCPT=rfc822;b@example.net NOTIFY=NEVER ORCPT=rfc822;c@example.net", "ORCPT")]
    public void TryParse_RepeatedKeyword_Returned(string argument, string expected)
    {
        Assert.True(SmtpPathParser.TryParse(argument, allowNull: false, out _, out _, out var repeated, out var error), error);
        Assert.Equal(expected, repeated);
    }

    [Fact]
    public void TryParse_DistinctKeywords_NoneRepeated()
    {
        Assert.True(SmtpPathParser.TryParse("<b@example.net> NOTIFY=NEVER ORCPT=rfc822;b@example.net", allowNull: false, out _, out _, out var repeated, out var error), error);
        Assert.Null(repeated);
    }

    [Theory]
    [InlineData("order-42", "order-42")]
    [InlineData("a+2Bb", "a+b")]
    [InlineData("x+3Dy+20z", "x=y z")]
    public void EnvelopeId_Xtext_Decoded(string sent, string expected)
    {
        var transaction = new SmtpTransaction("id1", "alice@example.org", new Dictionary<string, string?> { ["ENVID"] = sent });

        Assert.Equal(expected, transaction.EnvelopeId);
    }
}
