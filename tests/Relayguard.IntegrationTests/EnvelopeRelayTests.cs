using Relayguard.IntegrationTests.Infrastructure;

namespace Relayguard.IntegrationTests;

/// <summary>The envelope reaches the upstream as the client gave it: each recipient once, addresses in the same form.</summary>
public sealed class EnvelopeRelayTests
{
    private const string Password = "envelope-password";

    [Fact]
    public async Task DuplicateRecipient_RelayedOnce()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await RelayTests.StartAsync(sink.Endpoint);
        relayguard.AddAccount("alice", Password);

        using (var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint))
        {
            Assert.StartsWith("235", await raw.LoginAsync("alice", Password));
            Assert.StartsWith("250", await raw.CommandAsync("MAIL FROM:<alice@customer.test>"));
            Assert.StartsWith("250", await raw.CommandAsync("RCPT TO:<bob@example.net>"));
            Assert.StartsWith("250 2.1.5 Recipient OK, already given", await raw.CommandAsync("RCPT TO:<bob@example.net>"));
            Assert.StartsWith("354", await raw.CommandAsync("DATA"));
            await raw.SendAsync("From: alice@customer.test\r\nTo: bob@example.net\r\nSubject: twice\r\n\r\nHello.\r\n.\r\n");
            Assert.StartsWith("250", await raw.ReadReplyAsync());
        }

        await Wait.UntilAsync(() => sink.Messages().Count == 1, "smtp-sink to receive the message");
        var recipients = sink.Messages()[0].Split('\n').Where(line => line.StartsWith("X-Rcpt-Args: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["X-Rcpt-Args: <bob@example.net>"], recipients);
    }

    [Fact]
    public async Task PostmasterWithoutDomain_Relayed()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await RelayTests.StartAsync(sink.Endpoint);
        relayguard.AddAccount("alice", Password);

        using (var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint))
        {
            Assert.StartsWith("235", await raw.LoginAsync("alice", Password));
            Assert.StartsWith("250", await raw.CommandAsync("MAIL FROM:<alice@customer.test>"));
            Assert.StartsWith("250", await raw.CommandAsync("RCPT TO:<Postmaster>"));
            Assert.StartsWith("354", await raw.CommandAsync("DATA"));
            await raw.SendAsync("From: alice@customer.test\r\nTo: Postmaster\r\nSubject: abuse\r\n\r\nHello.\r\n.\r\n");
            Assert.StartsWith("250", await raw.ReadReplyAsync());
        }

        await Wait.UntilAsync(() => sink.Messages().Count == 1, "smtp-sink to receive the message");
        Assert.Contains("X-Rcpt-Args: <Postmaster>", sink.Messages()[0].Split('\n'));
    }

    [Fact]
    public async Task NonAsciiRecipient_UpstreamWithoutSmtpUtf8_Refused()
    {
        // smtp-sink does not offer SMTPUTF8, so an address with a non-ASCII local part cannot go on (RFC 6531 section 3.4).
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await RelayTests.StartAsync(sink.Endpoint);
        relayguard.AddAccount("alice", Password);

        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        Assert.StartsWith("235", await raw.LoginAsync("alice", Password));
        Assert.StartsWith("250", await raw.CommandAsync("MAIL FROM:<alice@customer.test> SMTPUTF8"));
        Assert.StartsWith("250", await raw.CommandAsync("RCPT TO:<jörg@example.net>"));
        Assert.StartsWith("354", await raw.CommandAsync("DATA"));
        await raw.SendAsync("From: alice@customer.test\r\nTo: jörg@example.net\r\nSubject: Grüße\r\n\r\nHallo.\r\n.\r\n");
        var reply = await raw.ReadReplyAsync();

        Assert.StartsWith("550 5.6.7 ", reply);
        Assert.Contains("SMTPUTF8", reply, StringComparison.Ordinal);
        Assert.Empty(sink.Messages());
    }

    [Fact]
    public async Task ALabelDomains_UpstreamWithSmtpUtf8_RelayedAsGiven()
    {
        // Postfix offers SMTPUTF8. An envelope in ASCII, with xn-- domains and no SMTPUTF8 from the client, must reach
        // it unchanged, not turned into UTF-8 with SMTPUTF8 added.
        await using var sink = await SmtpSink.StartAsync();
        await using var postfix = await PostfixInstance.StartAsync(sink.Endpoint, $"127.0.0.1:{Ports.Free()}");
        await using var relayguard = await RelayTests.StartAsync(postfix.Endpoint);
        relayguard.AddAccount("alice", Password);

        using (var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint))
        {
            Assert.StartsWith("235", await raw.LoginAsync("alice", Password));
            Assert.StartsWith("250", await raw.CommandAsync("MAIL FROM:<alice@xn--bcher-kva.example>"));
            Assert.StartsWith("250", await raw.CommandAsync("RCPT TO:<bob@xn--exmple-cua.net>"));
            Assert.StartsWith("354", await raw.CommandAsync("DATA"));
            await raw.SendAsync("From: alice@xn--bcher-kva.example\r\nTo: bob@xn--exmple-cua.net\r\nSubject: IDN\r\n\r\nHello.\r\n.\r\n");
            Assert.StartsWith("250", await raw.ReadReplyAsync());
        }

        await Wait.UntilAsync(() => sink.Messages().Count == 1, "Postfix to pass the message on to smtp-sink");
        Assert.Contains("from=<alice@xn--bcher-kva.example>", postfix.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("bücher", postfix.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("SMTPUTF8", sink.Messages()[0].Split('\n').Single(line => line.StartsWith("X-Mail-Args: ", StringComparison.Ordinal)), StringComparison.Ordinal);
    }
}
