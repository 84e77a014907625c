using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailKit.Net.Smtp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Relayguard.IntegrationTests.Infrastructure;

namespace Relayguard.IntegrationTests;

/// <summary>RL1 end to end: the gateway's own count, the detector's block in the operations API, overrides and 0.</summary>
public sealed class RateLimitTests
{
    private const string Password = "rate-test-passw0rd";

    [Fact]
    public async Task Messages_LimitReached_Gets451AtMail()
    {
        await using var relayguard = await StartAsync(new() { ["Rules:RL1:MessagesPerHour"] = "3" });
        relayguard.AddAccount("alice", Password);
        using var client = await Clients.ConnectAsync(relayguard, "alice", Password);
        for (var i = 0; i < 3; i++)
        {
            await client.SendAsync(Clients.Message("alice@customer.test", $"Message {i}", "Hello", "bob@example.net"));
        }

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Clients.Message("alice@customer.test", "One too many", "Hello", "bob@example.net")));

        Assert.Equal(SmtpErrorCode.SenderNotAccepted, error.ErrorCode);
        Assert.Equal(451, (int)error.StatusCode);
        Assert.Contains("Too many messages this hour, try again later (RL1). See http://", error.Message);
        Assert.EndsWith("/help/smtp-errors#RL1", error.Message);
    }

    [Fact]
    public async Task Messages_CountKeptOverRestart()
    {
        var relayguard = await StartAsync(new() { ["Rules:RL1:MessagesPerHour"] = "3" });
        try
        {
            relayguard.AddAccount("alice", Password);
            using (var client = await Clients.ConnectAsync(relayguard, "alice", Password))
            {
                for (var i = 0; i < 2; i++)
                {
                    await client.SendAsync(Clients.Message("alice@customer.test", $"Before {i}", "Hello", "bob@example.net"));
                }
            }

            relayguard = await relayguard.RestartAsync();
            using var again = await Clients.ConnectAsync(relayguard, "alice", Password);
            await again.SendAsync(Clients.Message("alice@customer.test", "After 0", "Hello", "bob@example.net"));

            var error = await Assert.ThrowsAsync<SmtpCommandException>(() => again.SendAsync(Clients.Message("alice@customer.test", "After 1", "Hello", "bob@example.net")));

            Assert.Equal(451, (int)error.StatusCode);
            Assert.Contains("(RL1)", error.Message);
        }
        finally
        {
            await relayguard.DisposeAsync();
        }
    }

    [Fact]
    public async Task Recipients_RefusedUpstream_NotCountedAfterRestart()
    {
        // The upstream refuses gone@example.net. The live count leaves it out, and so must the count a restarted gateway
        // rebuilds from its message index: 1 recipient of the limit of 3, not 2.
        await using var sink = await SmtpSink.StartAsync();
        await using var postfix = await PostfixInstance.StartAsync(
            sink.Endpoint,
            $"127.0.0.1:{Ports.Free()}",
            "smtpd_recipient_restrictions = check_recipient_access inline:{gone@example.net=REJECT}, permit_mynetworks, reject_unauth_destination\n");
        var relayguard = await RelayTests.StartAsync(postfix.Endpoint, new() { ["Rules:RL1:MessagesPerHour"] = "0", ["Rules:RL1:RecipientsPerHour"] = "3" });
        try
        {
            relayguard.AddAccount("alice", Password);
            using (var first = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint))
            {
                Assert.StartsWith("235", await first.LoginAsync("alice", Password));
                Assert.StartsWith("250", await first.CommandAsync("MAIL FROM:<alice@customer.test>"));
                Assert.StartsWith("250", await first.CommandAsync("RCPT TO:<bob@example.net>"));
                Assert.StartsWith("250", await first.CommandAsync("RCPT TO:<gone@example.net>"));
                Assert.StartsWith("354", await first.CommandAsync("DATA"));
                await first.SendAsync("From: alice@customer.test\r\nSubject: one refused\r\n\r\nHello.\r\n.\r\n");
                Assert.StartsWith("250", await first.ReadReplyAsync());
            }

            relayguard = await relayguard.RestartAsync();
            using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
            Assert.StartsWith("235", await raw.LoginAsync("alice", Password));
            Assert.StartsWith("250", await raw.CommandAsync("MAIL FROM:<alice@customer.test>"));
            var second = await raw.CommandAsync("RCPT TO:<dave@example.net>");
            var third = await raw.CommandAsync("RCPT TO:<erin@example.net>");
            var fourth = await raw.CommandAsync("RCPT TO:<frank@example.net>");

            Assert.StartsWith("250", second);
            Assert.StartsWith("250", third);
            Assert.StartsWith("451 4.7.1 ", fourth);
        }
        finally
        {
            await relayguard.DisposeAsync();
        }
    }

    [Fact]
    public async Task Messages_AllowlistedAccount_NeverRefused()
    {
        await using var relayguard = await StartAsync(new() { ["Rules:RL1:MessagesPerHour"] = "2" });
        relayguard.AddAccount("alice", Password);
        using (var ops = relayguard.OpsClient())
        {
            using var response = await ops.PostAsJsonAsync("/api/allowlist", new { kind = "account", subject = "alice", code = "RL1", reason = "monthly invoice run" });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var eventId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("eventId").GetGuid();
            foreach (var consumer in new[] { "gateway-allowlist", "rl1-allowlist" })
            {
                await Wait.UntilAsync(() => Processed(relayguard, consumer, eventId), $"{consumer} to apply the allowlist entry");
            }
        }

        using var client = await Clients.ConnectAsync(relayguard, "alice", Password);
        for (var i = 0; i < 5; i++)
        {
            await client.SendAsync(Clients.Message("alice@customer.test", $"Invoice {i}", "Attached.", "bob@example.net"));
        }

        using var check = relayguard.OpsClient();
        var blocks = await check.GetFromJsonAsync<JsonElement>("/api/blocks?kind=account");
        Assert.DoesNotContain(blocks.GetProperty("items").EnumerateArray(), block => block.GetProperty("code").GetString() == "RL1");
    }

    private static bool Processed(RelayguardInstance relayguard, string consumer, Guid eventId)
    {
        using var connection = relayguard.Get<Relayguard.ServiceDefaults.SqliteDatabase>().Open();
        return Relayguard.ServiceDefaults.SqliteDatabase.Scalar(
            connection,
            "SELECT 1 FROM processed_events WHERE consumer = $consumer AND event_id = $event;",
            null,
            ("$consumer", consumer),
            ("$event", eventId.ToString("N"))) is not null;
    }

    [Fact]
    public async Task Messages_LimitReached_DetectorBlockListed()
    {
        await using var relayguard = await StartAsync(new() { ["Rules:RL1:MessagesPerHour"] = "2" });
        relayguard.AddAccount("alice", Password);
        using var client = await Clients.ConnectAsync(relayguard, "alice", Password);
        for (var i = 0; i < 2; i++)
        {
            await client.SendAsync(Clients.Message("alice@customer.test", $"Message {i}", "Hello", "bob@example.net"));
        }

        using var ops = relayguard.OpsClient();
        JsonElement block = default;
        await Wait.UntilAsync(
            async () =>
            {
                var page = await ops.GetFromJsonAsync<JsonElement>("/api/blocks?kind=account&code=RL1");
                block = page.GetProperty("items").EnumerateArray().FirstOrDefault();
                return block.ValueKind == JsonValueKind.Object;
            },
            "the RL1 block in the block list");

        Assert.Equal("alice", block.GetProperty("subject").GetString());
        Assert.Equal(JsonValueKind.String, block.GetProperty("expiresAt").ValueKind);
    }

    [Fact]
    public async Task Messages_AfterWindowRolls_AcceptedAgain()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var relayguard = await StartAsync(new() { ["Rules:RL1:MessagesPerHour"] = "2" }, time);
        relayguard.AddAccount("alice", Password);
        using var client = await Clients.ConnectAsync(relayguard, "alice", Password);
        await client.SendAsync(Clients.Message("alice@customer.test", "First", "Hello", "bob@example.net"));
        time.Advance(TimeSpan.FromMinutes(30));
        await client.SendAsync(Clients.Message("alice@customer.test", "Second", "Hello", "bob@example.net"));
        using var ops = relayguard.OpsClient();
        await Wait.UntilAsync(
            async () => (await ops.GetFromJsonAsync<JsonElement>("/api/blocks?kind=account&code=RL1")).GetProperty("items").GetArrayLength() == 1,
            "the RL1 block in the block list");

        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Clients.Message("alice@customer.test", "Third", "Hello", "bob@example.net")));
        time.Advance(TimeSpan.FromMinutes(32));
        await client.SendAsync(Clients.Message("alice@customer.test", "Fourth", "Hello", "bob@example.net"));

        Assert.Equal(451, (int)refused.StatusCode);
        Assert.Equal(3, Directory.EnumerateFiles(Path.Combine(relayguard.DataDirectory, "pickup")).Count());
    }

    [Fact]
    public async Task Recipients_LimitReached_Gets451AtRcpt()
    {
        await using var relayguard = await StartAsync(new() { ["Rules:RL1:MessagesPerHour"] = "0", ["Rules:RL1:RecipientsPerHour"] = "3" });
        relayguard.AddAccount("alice", Password);
        using (var client = await Clients.ConnectAsync(relayguard, "alice", Password))
        {
            await client.SendAsync(Clients.Message("alice@customer.test", "Two", "Hello", "bob@example.net", "carol@example.net"));
        }

        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        await raw.LoginAsync("alice", Password);
        Assert.StartsWith("250", await raw.CommandAsync("MAIL FROM:<alice@customer.test>"));
        var third = await raw.CommandAsync("RCPT TO:<dave@example.net>");
        var fourth = await raw.CommandAsync("RCPT TO:<erin@example.net>");
        var fifth = await raw.CommandAsync("RCPT TO:<frank@example.net>");

        Assert.StartsWith("250", third);
        Assert.StartsWith("451 4.7.1 Too many messages this hour, try again later (RL1). See ", fourth);
        Assert.StartsWith("451 4.7.1 ", fifth);
        Assert.Single(relayguard.Logs.Lines, line => line.Contains("deferred under RL1 at rcpt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BothLimitsZero_NeverRefused()
    {
        await using var relayguard = await StartAsync(new() { ["Rules:RL1:MessagesPerHour"] = "0", ["Rules:RL1:RecipientsPerHour"] = "0" });
        relayguard.AddAccount("alice", Password);
        using var client = await Clients.ConnectAsync(relayguard, "alice", Password);

        for (var i = 0; i < 5; i++)
        {
            await client.SendAsync(Clients.Message("alice@customer.test", $"Message {i}", "Hello", "bob@example.net", "carol@example.net"));
        }

        Assert.Equal(5, Directory.EnumerateFiles(Path.Combine(relayguard.DataDirectory, "pickup")).Count());
        Assert.DoesNotContain(relayguard.Logs.Lines, line => line.Contains("under RL1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AccountOverride_RaisesLimit()
    {
        await using var relayguard = await StartAsync(new()
        {
            ["Rules:RL1:MessagesPerHour"] = "1",
            ["Rules:RL1:Accounts:newsletter:MessagesPerHour"] = "4",
        });
        relayguard.AddAccount("alice", Password);
        relayguard.AddAccount("newsletter", Password);
        using var newsletter = await Clients.ConnectAsync(relayguard, "newsletter", Password);
        using var alice = await Clients.ConnectAsync(relayguard, "alice", Password);

        for (var i = 0; i < 4; i++)
        {
            await newsletter.SendAsync(Clients.Message("news@customer.test", $"Issue {i}", "Hello", "reader@example.net"));
        }

        await alice.SendAsync(Clients.Message("alice@customer.test", "First", "Hello", "bob@example.net"));
        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => alice.SendAsync(Clients.Message("alice@customer.test", "Second", "Hello", "bob@example.net")));
        Assert.Equal(451, (int)error.StatusCode);
    }

    [Fact]
    public async Task TrustedWithoutAccount_CountedPerAddress()
    {
        await using var relayguard = await StartAsync(new() { ["Smtp:Trusted:0"] = "127.0.0.0/8", ["Rules:RL1:MessagesPerHour"] = "2" });
        using var client = await Clients.ConnectAsync(relayguard);
        for (var i = 0; i < 2; i++)
        {
            await client.SendAsync(Clients.Message("shop@customer.test", $"Order {i}", "Hello", "buyer@example.net"));
        }

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Clients.Message("shop@customer.test", "Order 3", "Hello", "buyer@example.net")));

        Assert.Equal(451, (int)error.StatusCode);
        Assert.Contains("(RL1)", error.Message);
    }

    private static Task<RelayguardInstance> StartAsync(Dictionary<string, string?> settings, TimeProvider? time = null)
    {
        settings["Smtp:AllowPlaintextAuth"] = "true";
        return RelayguardInstance.StartAsync(settings, configure: time is null ? null : builder => builder.Services.AddSingleton(time));
    }
}
