using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Relayguard.Contracts;
using Relayguard.IntegrationTests.Infrastructure;

namespace Relayguard.IntegrationTests;

/// <summary>The evidence that <c>GET /api/blocks/{kind}/{subject}</c> shows for blocks the detectors made.</summary>
public sealed class EvidenceTests
{
    private const string Password = "list-owner-password";

    [Fact]
    public async Task Ca1_Evidence_CountsSamplesTrace()
    {
        await using var upstream = new RefusingUpstream(address => address.StartsWith("gone", StringComparison.Ordinal));
        await using var relayguard = await RelayTests.StartAsync(upstream.Endpoint, new() { ["Rules:CA1:Window"] = "3650d", ["Rules:CA1:Retention"] = "3650d" });
        relayguard.AddAccount("newsletter", Password);
        using var ops = relayguard.OpsClient();

        await SendAsync(relayguard, invalid: 30, valid: 10);
        await Wait.UntilAsync(async () => (await ops.GetAsync("/api/blocks/account/newsletter")).IsSuccessStatusCode, "the CA1 block to be recorded");
        var shown = await ops.GetFromJsonAsync<JsonElement>("/api/blocks/account/newsletter");

        var block = Assert.Single(shown.GetProperty("blocks").EnumerateArray());
        Assert.Equal("CA1", block.GetProperty("code").GetString());
        var evidence = block.GetProperty("evidence");
        var counts = evidence.GetProperty("counts");
        Assert.InRange(counts.GetProperty("invalidRecipients").GetDouble(), 25, 30);
        Assert.Equal(40, counts.GetProperty("distinctRecipients").GetDouble());
        Assert.Equal(25, counts.GetProperty("minInvalidRecipients").GetDouble());
        Assert.Equal(0.2, counts.GetProperty("minInvalidShare").GetDouble());
        var samples = evidence.GetProperty("samples").EnumerateArray().ToList();
        Assert.Equal(5, samples.Count);
        Assert.All(samples, sample => Assert.StartsWith("gone-", sample.GetProperty("value").GetString(), StringComparison.Ordinal));
        Assert.All(samples, sample => Assert.Contains("550 5.1.1", sample.GetProperty("detail").GetString(), StringComparison.Ordinal));
        Assert.Matches("^[0-9a-f]{32}$", evidence.GetProperty("traceId").GetString());
        Assert.NotEqual(new string('0', 32), evidence.GetProperty("traceId").GetString());
        Assert.Contains("proved invalid", evidence.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ca2_Evidence_ScoresAndSymbols()
    {
        await using var relayguard = await RelayguardInstance.StartAsync([]);
        using var ops = relayguard.OpsClient();
        var bus = relayguard.Get<IBus>();

        for (var i = 0; i < 5; i++)
        {
            var message = new MessageSubmitted
            {
                EventId = Guid.NewGuid(),
                GatewayMessageId = $"SPAM{i}",
                SubmittedAt = DateTimeOffset.UtcNow,
                ClientIp = "203.0.113.50",
                NullSender = false,
                RecipientHashes = ["hash"],
                RecipientCount = 1,
                Size = 900,
                SpamScore = 1003.5,
                SpamSymbols = ["GTUBE(1000)", "MISSING_DATE(1)"],
                SpamAction = SpamActions.Reject,
                Outcome = SubmissionOutcomes.Refused,
                RefusalCode = RuleCodes.Ca2,
                RefusalStage = "data",
            };
            await bus.Publish(message, context => context.MessageId = message.EventId);
        }

        await Wait.UntilAsync(async () => (await ops.GetAsync("/api/blocks/ip/203.0.113.50")).IsSuccessStatusCode, "the CA2 block to be recorded");
        var shown = await ops.GetFromJsonAsync<JsonElement>("/api/blocks/ip/203.0.113.50");

        var evidence = Assert.Single(shown.GetProperty("blocks").EnumerateArray()).GetProperty("evidence");
        Assert.Equal(5, evidence.GetProperty("counts").GetProperty("rejectedMessages").GetDouble());
        var samples = evidence.GetProperty("samples").EnumerateArray().ToList();
        Assert.Equal(5, samples.Count);
        Assert.StartsWith("SPAM", samples[0].GetProperty("value").GetString(), StringComparison.Ordinal);
        Assert.Equal("score 1003.5, symbols GTUBE(1000) MISSING_DATE(1)", samples[0].GetProperty("detail").GetString());
        Assert.Matches("^[0-9a-f]{32}$", evidence.GetProperty("traceId").GetString());
    }

    private static async Task SendAsync(RelayguardInstance relayguard, int invalid, int valid)
    {
        var recipients = Enumerable.Range(0, invalid).Select(i => $"gone-{i}@example.net")
            .Concat(Enumerable.Range(0, valid).Select(i => $"reader-{i}@example.net"))
            .ToArray();
        using var client = await Clients.ConnectAsync(relayguard, "newsletter", Password);
        await client.SendAsync(Clients.Message("news@customer.test", "Monthly news", "News.", recipients));
        await client.DisconnectAsync(true);
    }
}
