using System.Net.Http.Json;
using System.Text.Json;
using Relayguard.DistributedTests.Infrastructure;
using Relayguard.IntegrationTests.Infrastructure;

namespace Relayguard.DistributedTests;

/// <summary>CA1 across processes: the gateway reports refused recipients, CA1 blocks, operations records, the gateway refuses.</summary>
[Collection(DistributedCollection.Name)]
public sealed class Ca1ScenarioTests(BrokerFixture fixture)
{
    private const string Password = "list-owner-password";

    [Fact]
    public async Task InvalidRecipients_BlockAccount()
    {
        await using var upstream = new RefusingUpstream(address => address.StartsWith("gone", StringComparison.Ordinal));
        await using var deployment = await Deployment.CreateAsync(fixture.Broker);
        var operations = deployment.Operations();
        var ca1 = deployment.Detector("ca1");
        var gateway = deployment.Gateway("gw-a", upstream.Endpoint);
        Deployment.AddAccount(gateway, "newsletter", Password);
        var gatewaySpans = Path.Combine(gateway.DataDirectory, "spans.tsv");
        var ca1Spans = Path.Combine(ca1.DataDirectory, "spans.tsv");
        gateway.Settings["Telemetry:SpanFile"] = gatewaySpans;
        ca1.Settings["Telemetry:SpanFile"] = ca1Spans;
        await deployment.StartAsync(operations);
        await deployment.StartAsync(ca1);
        await deployment.StartAsync(gateway);

        // 30 of 35 recipients do not exist: above both thresholds (25 invalid, 20%).
        var recipients = Enumerable.Range(0, 30).Select(i => $"gone{i}@example.net")
            .Concat(Enumerable.Range(0, 5).Select(i => $"reader{i}@example.net"))
            .ToList();
        using (var client = await SmtpTestClient.ConnectAsync(gateway.SmtpPort))
        {
            Assert.StartsWith("235", await client.LoginAsync("newsletter", Password));
            Assert.StartsWith("250", await client.SendAsync("news@customer.test", recipients, "Monthly news"));
        }

        await Wait.UntilAsync(async () => (await MailFromAsync(gateway)).StartsWith("550", StringComparison.Ordinal), "the gateway to refuse the account", TimeSpan.FromSeconds(60));
        Assert.StartsWith("550 5.7.1 Sending from this account is blocked: too many messages to addresses that do not exist (CA1).", await MailFromAsync(gateway));
        Assert.Equal(30, StoreReader.Processed(ca1.Settings["Store:Sqlite"], "ca1-delivery-bounced"));
        Assert.Equal(1, StoreReader.Count(ca1.Settings["Store:Sqlite"], "SELECT COUNT(*) FROM ca1_blocks WHERE subject = 'newsletter';"));

        using var ops = Deployment.OperationsClient(operations);
        var blocks = await ops.GetFromJsonAsync<JsonElement>("/api/blocks?kind=account&code=CA1");
        var items = blocks.GetProperty("items");
        Assert.Equal(1, items.GetArrayLength());
        Assert.Equal("newsletter", items[0].GetProperty("subject").GetString());

        // The detector runs in another process, yet its decision span is in the trace of the gateway's transaction.
        await Wait.UntilAsync(() => File.Exists(ca1Spans) && File.ReadLines(ca1Spans).Any(l => l.Split('\t')[3] == "relayguard.decision"), "the CA1 process to export its decision spans", TimeSpan.FromSeconds(30));
        var transactions = File.ReadLines(gatewaySpans).Select(l => l.Split('\t')).Where(f => f[3] == "smtp.transaction").Select(f => f[0]).ToHashSet();
        var decisions = File.ReadLines(ca1Spans).Select(l => l.Split('\t')).Where(f => f[3] == "relayguard.decision").ToList();
        Assert.NotEmpty(transactions);
        Assert.All(decisions, decision => Assert.Contains(decision[0], transactions));
    }

    private static async Task<string> MailFromAsync(ServiceSpec gateway)
    {
        using var client = await SmtpTestClient.ConnectAsync(gateway.SmtpPort);
        await client.LoginAsync("newsletter", Password);
        return await client.CommandAsync("MAIL FROM:<news@customer.test>");
    }
}
