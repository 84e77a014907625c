using Relayguard.IntegrationTests.Infrastructure;

namespace Relayguard.IntegrationTests;

/// <summary>The Limits:* settings of <c>relayguard run</c>, each with its standard reply.</summary>
public sealed class LimitsTests
{
    [Fact]
    public async Task SessionsPerIp_Exceeded_Gets421()
    {
        await using var relayguard = await RelayguardInstance.StartAsync(new() { ["Limits:SessionsPerIp"] = "2" });
        using var first = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        using var second = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);

        using var third = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);

        Assert.StartsWith("220", first.Greeting);
        Assert.StartsWith("220", second.Greeting);
        Assert.Equal("421 4.7.0 Too many connections from your address, try again later", third.Greeting);
    }

    [Fact]
    public async Task SessionsPerIp_TrustedRange_Exempt()
    {
        await using var relayguard = await RelayguardInstance.StartAsync(new() { ["Limits:SessionsPerIp"] = "2", ["Smtp:Trusted:0"] = "127.0.0.1/32" });
        var clients = new List<RawSmtpClient>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                clients.Add(await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint));
            }

            Assert.All(clients, client => Assert.StartsWith("220", client.Greeting));
        }
        finally
        {
            clients.ForEach(client => client.Dispose());
        }
    }

    [Fact]
    public async Task SessionsPerIp_SlotFreedAfterQuit()
    {
        await using var relayguard = await RelayguardInstance.StartAsync(new() { ["Limits:SessionsPerIp"] = "1" });
        using (var first = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint))
        {
            await first.CommandAsync("QUIT");
        }

        string greeting = string.Empty;
        await Wait.UntilAsync(
            async () =>
            {
                using var next = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
                greeting = next.Greeting;
                return greeting.StartsWith("220", StringComparison.Ordinal);
            },
            "the session slot to be freed");

        Assert.StartsWith("220", greeting);
    }

    [Fact]
    public async Task Sessions_Total_Gets421()
    {
        await using var relayguard = await RelayguardInstance.StartAsync(new() { ["Limits:Sessions"] = "1", ["Limits:SessionsPerIp"] = "0" });
        using var first = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);

        using var second = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);

        Assert.StartsWith("220", first.Greeting);
        Assert.StartsWith("421 4.3.2", second.Greeting);
    }

    [Fact]
    public async Task MessageSize_Setting_AdvertisedAndEnforced()
    {
        await using var relayguard = await RelayguardInstance.StartAsync(new() { ["Limits:MessageSize"] = "20000", ["Smtp:AllowPlaintextAuth"] = "true" });
        relayguard.AddAccount("alice", "limits-passw0rd");
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);

        var ehlo = await raw.CommandAsync("EHLO client.test");
        await raw.LoginAsync("alice", "limits-passw0rd");
        await raw.CommandAsync("MAIL FROM:<alice@customer.test>");
        await raw.CommandAsync("RCPT TO:<bob@example.net>");
        await raw.CommandAsync("DATA");
        var reply = await raw.CommandAsync("Subject: big\r\n\r\n" + new string('x', 30_000) + "\r\n.");

        Assert.Contains("250-SIZE 20000", ehlo);
        Assert.StartsWith("552 5.3.4", reply);
    }

    [Fact]
    public async Task SpoolNotWritable_Gets452AndSessionGoesOn()
    {
        // A regular file where the spool folder belongs fails the spooling of a large message as a full disk would.
        await using var relayguard = await RelayguardInstance.StartAsync(new() { ["Limits:InMemoryThreshold"] = "4096", ["Smtp:AllowPlaintextAuth"] = "true" });
        relayguard.AddAccount("alice", "limits-passw0rd");
        var spool = Path.Combine(relayguard.DataDirectory, "spool");
        if (Directory.Exists(spool))
        {
            Directory.Delete(spool, recursive: true);
        }

        await File.WriteAllTextAsync(spool, "not a folder");
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        await raw.LoginAsync("alice", "limits-passw0rd");
        await raw.CommandAsync("MAIL FROM:<alice@customer.test>");
        await raw.CommandAsync("RCPT TO:<bob@example.net>");
        await raw.CommandAsync("DATA");

        var large = await raw.CommandAsync("Subject: large\r\n\r\n" + new string('x', 20_000) + "\r\n.");
        await raw.CommandAsync("MAIL FROM:<alice@customer.test>");
        await raw.CommandAsync("RCPT TO:<bob@example.net>");
        await raw.CommandAsync("DATA");
        var small = await raw.CommandAsync("Subject: small\r\n\r\nHello.\r\n.");

        Assert.Equal("452 4.3.1 Insufficient system storage, try again later", large);
        Assert.StartsWith("250", small);
        Assert.Contains(relayguard.Logs.Lines, line => line.Contains($"could not be written to the spool folder {spool}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RecipientsPerMessage_Setting_Gets452()
    {
        await using var relayguard = await RelayguardInstance.StartAsync(new() { ["Limits:RecipientsPerMessage"] = "2", ["Smtp:AllowPlaintextAuth"] = "true" });
        relayguard.AddAccount("alice", "limits-passw0rd");
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        await raw.LoginAsync("alice", "limits-passw0rd");
        await raw.CommandAsync("MAIL FROM:<alice@customer.test>");
        await raw.CommandAsync("RCPT TO:<a@example.net>");
        await raw.CommandAsync("RCPT TO:<b@example.net>");

        Assert.StartsWith("452 4.5.3", await raw.CommandAsync("RCPT TO:<c@example.net>"));
    }

    [Fact]
    public async Task CommandTimeout_Setting_ClosesIdleSession()
    {
        await using var relayguard = await RelayguardInstance.StartAsync(new() { ["Limits:CommandTimeout"] = "1s" });
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);

        var reply = await raw.ReadReplyAsync();

        Assert.StartsWith("421 4.4.2", reply);
    }

    [Fact]
    public async Task InvalidLimit_StopsStartWithKey()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => RelayguardInstance.StartAsync(new() { ["Limits:CommandLineLength"] = "100" }));

        Assert.Contains("Limits:CommandLineLength", error.Message);
    }
}
