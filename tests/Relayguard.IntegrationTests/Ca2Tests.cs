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
}
