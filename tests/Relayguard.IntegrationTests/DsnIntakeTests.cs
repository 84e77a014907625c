using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Relayguard.IntegrationTests.Infrastructure;

namespace Relayguard.IntegrationTests;

/// <summary>Bounces made by the provider's Postfix after it accepted the mail reach the gateway and feed CA1.</summary>
public sealed class DsnIntakeTests
{
    private const string Password = "dsn-test-password";

    [Fact]
    public async Task PostfixBounceCopies_BlockAccountUnderCa1()
    {
        // Postfix accepts every recipient from the gateway, then the next hop refuses them all as unknown.
        await using var sink = await SmtpSink.StartAsync("-f", "RCPT", "-B", "550 5.1.1 <unknown>: Recipient address rejected: User unknown");
        var dsnPort = Ports.Free();
        await using var postfix = await PostfixInstance.StartAsync(sink.Endpoint, $"127.0.0.1:{dsnPort}");
        await using var relayguard = await RelayTests.StartAsync(postfix.Endpoint, new() { ["Dsn:Listen"] = $"127.0.0.1:{dsnPort}" });
        relayguard.AddAccount("stale-list", Password);
        var recipients = Enumerable.Range(0, 30).Select(i => $"former{i}@example.net").ToArray();

        using (var client = await Clients.ConnectAsync(relayguard, "stale-list", Password))
        {
            await client.SendAsync(Clients.Message("list@customer.test", "Spring offers", "Offers inside.", recipients));
        }

        await Wait.UntilAsync(
            async () =>
            {
                using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
                await raw.LoginAsync("stale-list", Password);
                return (await raw.CommandAsync("MAIL FROM:<list@customer.test>")).StartsWith("550 5.7.1 Sending from this account is blocked", StringComparison.Ordinal);
            },
            "Postfix's bounce copies to put the account over the CA1 threshold",
            TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task ApiDsn_UnmatchedReport_CountedNotGuessed()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await RelayTests.StartAsync(sink.Endpoint);
        using var ops = relayguard.OpsClient();
        var report = Bo1Tests.DeliveryReport().ToString();

        var response = await ops.PostAsync("/api/dsn", new StringContent(report, new MediaTypeHeaderValue("message/rfc822")));

        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("delivery-report", body.GetProperty("kind").GetString());
        Assert.False(body.GetProperty("matched").GetBoolean());
        Assert.Equal(0, body.GetProperty("bounces").GetInt32());
    }

    [Fact]
    public async Task ApiDsn_EmptyBody_Gets400NamingBody()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await RelayTests.StartAsync(sink.Endpoint);
        using var ops = relayguard.OpsClient();

        var response = await ops.PostAsync("/api/dsn", new ByteArrayContent([]));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"body\"", await response.Content.ReadAsStringAsync());
    }
}
