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
        await using var relayguard = await StartAsync(sink.Endpoint);

        var (recipientReplies, reply) = await SubmitAsync(relayguard, "<alice@customer.test>", ["<bob@example.net>", "<bob@example.net>", "<Bob@Example.net>"], "To: bob@example.net\r\nSubject: twice");

        Assert.StartsWith("250 2.1.5 Recipient OK, already given", recipientReplies[1]);
        Assert.StartsWith("250 2.1.5 Recipient OK, already given", recipientReplies[2]);
        Assert.StartsWith("250", reply);
        await Wait.UntilAsync(() => sink.Messages().Count == 1, "smtp-sink to receive the message");
        var recipients = sink.Messages()[0].Split('\n').Where(line => line.StartsWith("X-Rcpt-Args: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["X-Rcpt-Args: <bob@example.net>"], recipients);
    }

    [Fact]
    public async Task PostmasterWithoutDomain_Relayed()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await StartAsync(sink.Endpoint);

        var (_, reply) = await SubmitAsync(relayguard, "<alice@customer.test>", ["<Postmaster>"], "To: Postmaster\r\nSubject: abuse");

        Assert.StartsWith("250", reply);
        await Wait.UntilAsync(() => sink.Messages().Count == 1, "smtp-sink to receive the message");
        Assert.Contains("X-Rcpt-Args: <Postmaster>", sink.Messages()[0].Split('\n'));
    }

    [Fact]
    public async Task NonAsciiRecipient_UpstreamWithoutSmtpUtf8_Refused()
    {
        // smtp-sink does not offer SMTPUTF8, so an address with a non-ASCII local part cannot go on (RFC 6531 section 3.4).
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await StartAsync(sink.Endpoint);

        var (_, reply) = await SubmitAsync(relayguard, "<alice@customer.test> SMTPUTF8", ["<jörg@example.net>"], "To: jörg@example.net\r\nSubject: Grüße");

        Assert.StartsWith("550 5.6.7 ", reply);
        Assert.Contains("SMTPUTF8", reply, StringComparison.Ordinal);
        Assert.Empty(sink.Messages());
    }

    [Fact]
    public async Task ALabelDomains_Utf8Upstream_RelayedAsGiven()
    {
        // Postfix offers SMTPUTF8. An envelope in ASCII, with xn-- domains and no SMTPUTF8 from the client, must reach
        // it unchanged, not turned into UTF-8 with SMTPUTF8 added.
        await using var sink = await SmtpSink.StartAsync();
        await using var postfix = await PostfixInstance.StartAsync(sink.Endpoint, $"127.0.0.1:{Ports.Free()}");
        await using var relayguard = await StartAsync(postfix.Endpoint);

        var (_, reply) = await SubmitAsync(relayguard, "<alice@xn--bcher-kva.example>", ["<bob@xn--exmple-cua.net>"], "To: bob@xn--exmple-cua.net\r\nSubject: IDN");

        Assert.StartsWith("250", reply);
        await Wait.UntilAsync(() => sink.Messages().Count == 1, "Postfix to pass the message on to smtp-sink");
        Assert.Contains("from=<alice@xn--bcher-kva.example>", postfix.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("bücher", postfix.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("SMTPUTF8", sink.Messages()[0].Split('\n').Single(line => line.StartsWith("X-Mail-Args: ", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALabelRecipientRefused_BounceNamesItAsGiven()
    {
        // MailKit decodes the xn-- domain of the address it reports back; CA1's evidence must show what the customer
        // sent, and its recipient hash must match the submission's.
        await using var sink = await SmtpSink.StartAsync("-f", "RCPT", "-B", "550 5.1.1 <unknown>: Recipient address rejected: User unknown");
        await using var relayguard = await StartAsync(sink.Endpoint);

        var (_, reply) = await SubmitAsync(relayguard, "<alice@customer.test>", ["<bob@xn--exmple-cua.net>"], "To: bob@xn--exmple-cua.net\r\nSubject: IDN");

        Assert.StartsWith("550", reply);
        string? address = null;
        await Wait.UntilAsync(
            () =>
            {
                using var connection = relayguard.Get<Relayguard.ServiceDefaults.SqliteDatabase>().Open();
                address = Relayguard.ServiceDefaults.SqliteDatabase.Scalar(connection, "SELECT address FROM ca1_recipients WHERE account = 'alice' AND address IS NOT NULL;") as string;
                return address is not null;
            },
            "CA1 to record the refused recipient");
        Assert.Equal("bob@xn--exmple-cua.net", address);
    }

    [Fact]
    public async Task AsciiThenSmtpUtf8_PooledConnection_BothRelayed()
    {
        // The first message hides the upstream's SMTPUTF8 from the pooled connection; the second needs it back.
        await using var sink = await SmtpSink.StartAsync();
        await using var postfix = await PostfixInstance.StartAsync(sink.Endpoint, $"127.0.0.1:{Ports.Free()}");
        await using var relayguard = await RelayTests.StartAsync(postfix.Endpoint, new() { ["Relay:Connections"] = "1" });
        relayguard.AddAccount("alice", Password);

        var (_, ascii) = await SubmitAsync(relayguard, "<alice@customer.test>", ["<bob@example.net>"], "To: bob@example.net\r\nSubject: first");
        var (_, international) = await SubmitAsync(relayguard, "<alice@customer.test> SMTPUTF8", ["<jörg@example.net>"], "To: jörg@example.net\r\nSubject: Grüße");

        Assert.StartsWith("250", ascii);
        Assert.StartsWith("250", international);
        await Wait.UntilAsync(() => postfix.Log.Contains("to=<jörg@example.net>", StringComparison.Ordinal), "Postfix to take the SMTPUTF8 message");
    }

    [Theory]
    [InlineData("smtpd_sender_restrictions = defer", "450 4.")]
    [InlineData("message_size_limit = 200", "552 5.3.4 Message size exceeds fixed limit")]
    public async Task SenderRefusedUpstream_ClientGetsThatReply(string postfixSettings, string expected)
    {
        // Postfix offers PIPELINING, so the RCPT commands go out with MAIL FROM, and after refusing MAIL it replies to
        // them with "503 need MAIL command". The client must get the refusal of MAIL itself, so that a temporary one is
        // retried, not bounced.
        await using var sink = await SmtpSink.StartAsync();
        await using var postfix = await PostfixInstance.StartAsync(sink.Endpoint, $"127.0.0.1:{Ports.Free()}", $"smtpd_delay_reject = no\n{postfixSettings}\n");
        await using var relayguard = await StartAsync(postfix.Endpoint);

        var (_, reply) = await SubmitAsync(relayguard, "<alice@customer.test>", ["<bob@example.net>", "<carol@example.net>"], "To: bob@example.net\r\nSubject: refused sender");

        Assert.StartsWith(expected, reply);
        Assert.Empty(sink.Messages());
    }

    private static async Task<RelayguardInstance> StartAsync(string upstream)
    {
        var relayguard = await RelayTests.StartAsync(upstream);
        relayguard.AddAccount("alice", Password);
        return relayguard;
    }

    /// <summary>Logs in as alice, sends one transaction with the headers given (a From is added) and returns the RCPT replies and the final reply.</summary>
    private static async Task<(List<string> RecipientReplies, string Reply)> SubmitAsync(RelayguardInstance relayguard, string mailFrom, string[] recipients, string headers)
    {
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        Assert.StartsWith("235", await raw.LoginAsync("alice", Password));
        Assert.StartsWith("250", await raw.CommandAsync($"MAIL FROM:{mailFrom}"));
        var recipientReplies = new List<string>();
        foreach (var recipient in recipients)
        {
            recipientReplies.Add(await raw.CommandAsync($"RCPT TO:{recipient}"));
            Assert.StartsWith("250", recipientReplies[^1]);
        }

        Assert.StartsWith("354", await raw.CommandAsync("DATA"));
        await raw.SendAsync($"From: alice@customer.test\r\n{headers}\r\n\r\nHello.\r\n.\r\n");
        return (recipientReplies, await raw.ReadReplyAsync());
    }
}
