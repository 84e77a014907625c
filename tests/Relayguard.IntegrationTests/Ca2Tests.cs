using MailKit.Net.Smtp;
using Relayguard.IntegrationTests.Infrastructure;

namespace Relayguard.IntegrationTests;

/// <summary>CA2 end to end with a real Rspamd: GTUBE scores <c>reject</c>.</summary>
public sealed class Ca2Tests
{
    private const string Password = "spam-test-password";
    private const string Gtube = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    [Fact]
    public async Task Gtube_Refused_AndFiveBlockTheAddress()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await RelayTests.StartAsync(sink.Endpoint, new() { ["Rspamd:Url"] = TestEnvironment.RspamdUrl });
        relayguard.AddAccount("infected", Password);
        using (var client = await Clients.ConnectAsync(relayguard, "infected", Password))
        {
            var clean = Clients.Message("pc@customer.test", "Minutes of the meeting", "Attached are the minutes of Tuesday's meeting.", "colleague@example.net");
            await client.SendAsync(clean);
            for (var i = 0; i < 5; i++)
            {
                var spam = Clients.Message("pc@customer.test", "Cheap watches " + i, "Buy now!\r\n" + Gtube + "\r\n", "victim@example.net");
                var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(spam));
                Assert.Equal(550, (int)error.StatusCode);
                Assert.Contains("Message refused as spam (CA2). See ", error.Message);
            }
        }

        Assert.Single(sink.Messages());
        Assert.Contains("X-Spam-Action:", sink.Messages()[0]);
        await Wait.UntilAsync(
            async () =>
            {
                using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
                await raw.LoginAsync("infected", Password);
                return (await raw.CommandAsync("MAIL FROM:<pc@customer.test>")).StartsWith("550 5.7.1 Sending from your IP address is blocked until ", StringComparison.Ordinal);
            },
            "the CA2 block of 127.0.0.1 to reach the gateway");
    }

    [Fact]
    public async Task SharedRange_BlocksAccountOnAddress_WordedSo()
    {
        // In a CGNAT range the address is many customers: CA2 blocks the account on it, and the refusal says so.
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await RelayTests.StartAsync(sink.Endpoint, new()
        {
            ["Rspamd:Url"] = TestEnvironment.RspamdUrl,
            ["Smtp:SharedRanges:0"] = "127.0.0.0/8",
            ["Rules:CA2:SharedRanges:0"] = "127.0.0.0/8",
        });
        relayguard.AddAccount("infected", Password);
        relayguard.AddAccount("neighbour", Password);
        using (var client = await Clients.ConnectAsync(relayguard, "infected", Password))
        {
            for (var i = 0; i < 5; i++)
            {
                var spam = Clients.Message("pc@customer.test", "Cheap watches " + i, "Buy now!\r\n" + Gtube + "\r\n", "victim@example.net");
                await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(spam));
            }
        }

        await Wait.UntilAsync(
            async () =>
            {
                using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
                await raw.LoginAsync("infected", Password);
                return (await raw.CommandAsync("MAIL FROM:<pc@customer.test>")).StartsWith("550 5.7.1 Sending from this account on your IP address is blocked until ", StringComparison.Ordinal);
            },
            "the CA2 block of infected on 127.0.0.1 to reach the gateway");
        using var neighbour = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        Assert.StartsWith("235", await neighbour.LoginAsync("neighbour", Password));
        Assert.StartsWith("250", await neighbour.CommandAsync("MAIL FROM:<neighbour@customer.test>"));
    }
}
