using System.Text;

namespace Relayguard.Gateway.Tests.Smtp;

/// <summary>RFC 5321 and RFC 6409 behaviour of the protocol layer, against a real listener on loopback.</summary>
public sealed class ConformanceTests : IAsyncLifetime
{
    private TestSmtpServer _server = null!;

    public Task InitializeAsync()
    {
        _server = TestSmtpServer.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Greeting_Is220WithHostName()
    {
        using var client = await _server.ConnectAsync();

        Assert.StartsWith("220 gateway.test ESMTP", client.Greeting);
    }

    [Fact]
    public async Task Ehlo_ListsExtensions()
    {
        using var client = await _server.ConnectAsync();

        var lines = (await client.CommandAsync("EHLO client.test")).Split('\n');

        Assert.Equal("250-gateway.test", lines[0]);
        Assert.Contains("250-PIPELINING", lines);
        Assert.Contains("250-SIZE 36700160", lines);
        Assert.Contains("250-8BITMIME", lines);
        Assert.Contains("250-ENHANCEDSTATUSCODES", lines);
        Assert.Contains("250-DSN", lines);
        Assert.Contains(lines, line => line.EndsWith("SMTPUTF8", StringComparison.Ordinal));
        Assert.StartsWith("250 ", lines[^1]);
    }

    [Fact]
    public async Task Helo_RepliesWithoutExtensions()
    {
        using var client = await _server.ConnectAsync();

        Assert.Equal("250 gateway.test", await client.CommandAsync("HELO client.test"));
    }

    [Theory]
    [InlineData("EHLO")]
    [InlineData("HELO")]
    public async Task Hello_WithoutName_Gets501(string verb)
    {
        using var client = await _server.ConnectAsync();

        Assert.StartsWith("501 5.5.4", await client.CommandAsync(verb));
    }

    [Fact]
    public async Task Mail_BeforeHello_Gets503()
    {
        using var client = await _server.ConnectAsync();

        Assert.StartsWith("503 5.5.1", await client.CommandAsync("MAIL FROM:<a@example.com>"));
    }

    [Theory]
    [InlineData("MAIL FROM:<a@example.com> SIZE=10 =x", "501 5.5.4 Invalid MAIL parameters: the parameter '=x'")]
    [InlineData("MAIL FROM:<a@example.com>SIZE=10", "501 5.5.4 Invalid MAIL parameters: the parameters must be separated")]
    [InlineData("MAIL FROM:a@example.com", "501 5.1.7 Invalid sender address")]
    public async Task Mail_BadSyntax_ParameterOrAddressStatus(string command, string expected)
    {
        using var client = await EhloAsync();

        Assert.StartsWith(expected, await client.CommandAsync(command));
    }

    [Fact]
    public async Task Rcpt_BadParameter_Gets501Syntax()
    {
        using var client = await EhloAsync();
        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<a@example.com>"));

        Assert.StartsWith("501 5.5.4 Invalid RCPT parameters: the parameter '%=1'", await client.CommandAsync("RCPT TO:<b@example.net> %=1"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rcpt_BeforeMail_Gets503()
    {
        using var client = await EhloAsync();

        Assert.StartsWith("503 5.5.1", await client.CommandAsync("RCPT TO:<b@example.net>"));
    }

    [Fact]
    public async Task Data_WithoutRecipients_Gets554()
    {
        using var client = await EhloAsync();
        await client.CommandAsync("MAIL FROM:<a@example.com>");

        Assert.StartsWith("554 5.5.1", await client.CommandAsync("DATA"));
    }

    [Fact]
    public async Task Data_BeforeMail_Gets503()
    {
        using var client = await EhloAsync();

        Assert.StartsWith("503 5.5.1", await client.CommandAsync("DATA"));
    }

    [Fact]
    public async Task Mail_Nested_Gets503()
    {
        using var client = await EhloAsync();
        await client.CommandAsync("MAIL FROM:<a@example.com>");

        Assert.StartsWith("503 5.5.1", await client.CommandAsync("MAIL FROM:<c@example.com>"));
    }

    [Fact]
    public async Task Rset_EndsTransaction()
    {
        using var client = await EhloAsync();
        await client.CommandAsync("MAIL FROM:<a@example.com>");

        Assert.StartsWith("250", await client.CommandAsync("RSET"));
        Assert.StartsWith("503", await client.CommandAsync("RCPT TO:<b@example.net>"));
        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<a@example.com>"));
    }

    [Fact]
    public async Task Ehlo_AgainEndsTransaction()
    {
        // RFC 5321 section 4.1.4: EHLO in a transaction resets it, as RSET does.
        using var client = await EhloAsync();
        await client.CommandAsync("MAIL FROM:<a@example.com>");

        await client.CommandAsync("EHLO client.test");

        Assert.StartsWith("503", await client.CommandAsync("RCPT TO:<b@example.net>"));
    }

    [Fact]
    public async Task Transaction_Complete_DeliversDotUnstuffedData()
    {
        using var client = await EhloAsync();
        Assert.StartsWith("250 2.1.0", await client.CommandAsync("MAIL FROM:<a@example.com>"));
        Assert.StartsWith("250 2.1.5", await client.CommandAsync("RCPT TO:<b@example.net>"));
        Assert.StartsWith("354", await client.CommandAsync("DATA"));

        var reply = await client.CommandAsync("Subject: t\r\n\r\n..dot\r\nline\r\n.");

        Assert.StartsWith("250 2.0.0", reply);
        var message = Assert.Single(_server.Handler.Messages);
        Assert.Equal("a@example.com", message.Sender);
        Assert.Equal(["b@example.net"], message.Recipients);
        Assert.Equal("Subject: t\r\n\r\n.dot\r\nline\r\n", Encoding.UTF8.GetString(message.Content));
    }

    [Fact]
    public async Task Verbs_CaseInsensitive()
    {
        using var client = await _server.ConnectAsync();

        Assert.StartsWith("250", await client.CommandAsync("ehlo client.test"));
        Assert.StartsWith("250", await client.CommandAsync("mail from:<a@example.com>"));
        Assert.StartsWith("250", await client.CommandAsync("Rcpt To:<b@example.net>"));
    }

    [Fact]
    public async Task NullSender_Accepted()
    {
        using var client = await EhloAsync();

        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<>"));
    }

    [Fact]
    public async Task NullRecipient_Gets501()
    {
        using var client = await EhloAsync();
        await client.CommandAsync("MAIL FROM:<a@example.com>");

        Assert.StartsWith("501", await client.CommandAsync("RCPT TO:<>"));
    }

    [Fact]
    public async Task Command_EndedWithBareLf_Gets500()
    {
        // RFC 5321 section 2.3.8: a bare LF does not end a command line.
        using var client = await EhloAsync();
        await client.SendAsync("NOOP\nNOOP\r\n");

        Assert.StartsWith("500 5.5.2", await client.ReadReplyAsync());
        Assert.StartsWith("250", await client.ReadReplyAsync());
    }

    [Fact]
    public async Task Postmaster_WithoutDomain_Accepted()
    {
        // RFC 5321 section 4.5.1: every server accepts RCPT TO:<Postmaster>.
        using var client = await EhloAsync();
        await client.CommandAsync("MAIL FROM:<a@example.com>");

        Assert.StartsWith("250", await client.CommandAsync("RCPT TO:<Postmaster>"));
    }

    [Fact]
    public async Task SourceRouteWithoutMailbox_Gets501()
    {
        using var client = await EhloAsync();

        Assert.StartsWith("501", await client.CommandAsync("MAIL FROM:<@a.example:>"));
    }

    [Theory]
    [InlineData("NOOP", "250")]
    [InlineData("VRFY alice", "252")]
    [InlineData("VRFY", "501 5.5.4")]
    [InlineData("RSET now", "501 5.5.4")]
    [InlineData("QUIT now", "501 5.5.4")]
    [InlineData("EXPN list", "502")]
    [InlineData("HELP", "214")]
    [InlineData("BDAT 10 LAST", "502")]
    [InlineData("XYZZY", "500 5.5.2")]
    public async Task Command_Reply(string command, string expected)
    {
        using var client = await EhloAsync();

        Assert.StartsWith(expected, await client.CommandAsync(command));
    }

    [Fact]
    public async Task Quit_Replies221AndCloses()
    {
        using var client = await _server.ConnectAsync();

        Assert.StartsWith("221 2.0.0", await client.CommandAsync("QUIT"));
        Assert.True(await client.IsClosedAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Data_WithArgument_Gets501()
    {
        using var client = await EhloAsync();
        await client.CommandAsync("MAIL FROM:<a@example.com>");
        await client.CommandAsync("RCPT TO:<b@example.net>");

        Assert.StartsWith("501", await client.CommandAsync("DATA now"));
    }

    [Fact]
    public async Task MailParameter_Unknown_Gets555()
    {
        using var client = await EhloAsync();

        Assert.StartsWith("555 5.5.4", await client.CommandAsync("MAIL FROM:<a@example.com> FOO=bar"));
    }

    [Fact]
    public async Task MailParameter_DsnAndBody_Accepted()
    {
        using var client = await EhloAsync();

        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<a@example.com> SIZE=100 BODY=8BITMIME RET=HDRS ENVID=abc123"));
        Assert.StartsWith("250", await client.CommandAsync("RCPT TO:<b@example.net> NOTIFY=FAILURE,DELAY ORCPT=rfc822;b@example.net"));
    }

    [Fact]
    public async Task MailParameter_SizeOverLimit_Gets552()
    {
        using var client = await EhloAsync();

        Assert.StartsWith("552 5.3.4", await client.CommandAsync("MAIL FROM:<a@example.com> SIZE=99999999999"));
    }

    [Fact]
    public async Task HttpRequest_ClosesConnection()
    {
        using var client = await _server.ConnectAsync();

        Assert.StartsWith("421", await client.CommandAsync("GET / HTTP/1.1"));
        Assert.True(await client.IsClosedAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Auth_Plain_Accepted()
    {
        // RFC 6409 submission with RFC 4954 AUTH; the listener allows it without TLS because it is on loopback.
        using var client = await EhloAsync();

        var reply = await client.CommandAsync("AUTH PLAIN " + Convert.ToBase64String(Encoding.UTF8.GetBytes("\0user\0secret")));

        Assert.StartsWith("235 2.7.0", reply);
        Assert.StartsWith("503", await client.CommandAsync("AUTH PLAIN " + Convert.ToBase64String(Encoding.UTF8.GetBytes("\0user\0secret"))));
    }

    [Fact]
    public async Task Auth_LoginWithChallenges_Accepted()
    {
        using var client = await EhloAsync();

        Assert.Equal("334 VXNlcm5hbWU6", await client.CommandAsync("AUTH LOGIN"));
        Assert.Equal("334 UGFzc3dvcmQ6", await client.CommandAsync(Convert.ToBase64String("user"u8.ToArray())));
        Assert.StartsWith("235", await client.CommandAsync(Convert.ToBase64String("secret"u8.ToArray())));
    }

    [Fact]
    public async Task Auth_PlainWithEmptyChallenge_Accepted()
    {
        using var client = await EhloAsync();

        Assert.Equal("334 ", await client.CommandAsync("AUTH PLAIN"));
        Assert.StartsWith("235", await client.CommandAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("\0user\0secret"))));
    }

    [Fact]
    public async Task Auth_Cancelled_Gets501()
    {
        using var client = await EhloAsync();
        await client.CommandAsync("AUTH LOGIN");

        Assert.StartsWith("501", await client.CommandAsync("*"));
        Assert.StartsWith("250", await client.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task Auth_UnknownMechanism_Gets504()
    {
        using var client = await EhloAsync();

        Assert.StartsWith("504", await client.CommandAsync("AUTH CRAM-MD5"));
    }

    [Fact]
    public async Task Auth_DuringTransaction_Gets503()
    {
        using var client = await EhloAsync();
        await client.CommandAsync("MAIL FROM:<a@example.com>");

        Assert.StartsWith("503", await client.CommandAsync("AUTH PLAIN " + Convert.ToBase64String(Encoding.UTF8.GetBytes("\0user\0secret"))));
    }

    [Fact]
    public async Task StartTls_WithoutCertificate_Gets454()
    {
        using var client = await EhloAsync();

        Assert.StartsWith("454 4.7.0", await client.CommandAsync("STARTTLS"));
    }

    private async Task<LineClient> EhloAsync()
    {
        var client = await _server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        return client;
    }
}
