using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Relayguard.IntegrationTests.Infrastructure;
using Relayguard.Operations.Webhooks;

namespace Relayguard.IntegrationTests;

/// <summary>Webhooks for warnings, blocks and lifts, sent to a receiver on 127.0.0.1.</summary>
public sealed class WebhookTests
{
    private const string Secret = "0123456789abcdef-webhook-secret";
    private const string Password = "list-owner-password";

    [Fact]
    public async Task ManualBlock_PostsSignedWebhook()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var relayguard = await RelayguardInstance.StartAsync(Settings(receiver));
        using var ops = relayguard.OpsClient();

        using var response = await ops.PostAsJsonAsync("/api/blocks", new { kind = "account", subject = "mallory", reason = "abuse report 4711" });
        var eventId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("eventId").GetGuid();
        var webhook = await receiver.NextAsync();

        Assert.Equal("AccountBlocked", webhook.Headers["X-Relayguard-Event"]);
        Assert.Equal(eventId.ToString(), webhook.Headers["X-Relayguard-Delivery"]);
        Assert.StartsWith("application/json", webhook.Headers["Content-Type"], StringComparison.Ordinal);
        var timestamp = long.Parse(webhook.Headers["X-Relayguard-Timestamp"], CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - timestamp, 0, 60);
        Assert.Equal(WebhookSignature.Compute(Secret, timestamp, webhook.Body), webhook.Headers["X-Relayguard-Signature"]);
        Assert.NotEqual(WebhookSignature.Compute("another-secret-of-16+", timestamp, webhook.Body), webhook.Headers["X-Relayguard-Signature"]);
        Assert.Equal("AccountBlocked", webhook.Json.GetProperty("type").GetString());
        Assert.Equal(eventId, webhook.Json.GetProperty("id").GetGuid());
        var data = webhook.Json.GetProperty("data");
        Assert.Equal("mallory", data.GetProperty("subject").GetString());
        Assert.Equal("OP1", data.GetProperty("code").GetString());
        Assert.Equal("/api/blocks/account/mallory", data.GetProperty("path").GetString());
    }

    [Fact]
    public async Task FailingReceiver_RetriedWithSameDelivery()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.StatusFor = attempt => attempt <= 2 ? (int)HttpStatusCode.ServiceUnavailable : (int)HttpStatusCode.OK;
        await using var relayguard = await RelayguardInstance.StartAsync(Settings(receiver));
        using var ops = relayguard.OpsClient();

        await ops.PostAsJsonAsync("/api/blocks", new { kind = "ip", subject = "203.0.113.7", reason = "open relay" });
        var first = await receiver.NextAsync();
        var second = await receiver.NextAsync();
        var third = await receiver.NextAsync();

        Assert.Equal(first.Headers["X-Relayguard-Delivery"], second.Headers["X-Relayguard-Delivery"]);
        Assert.Equal(first.Headers["X-Relayguard-Delivery"], third.Headers["X-Relayguard-Delivery"]);
        Assert.Equal(first.Text, third.Text);
        Assert.Equal("IpBlocked", third.Headers["X-Relayguard-Event"]);
        await Wait.UntilAsync(() => relayguard.Logs.Lines.Any(line => line.Contains("Delivered webhook IpBlocked", StringComparison.Ordinal)), "the delivery to be logged");
        Assert.Equal(2, relayguard.Logs.Lines.Count(line => line.Contains($" to {receiver.Url} failed (HTTP 503); retry ", StringComparison.Ordinal)));
        Assert.Contains(relayguard.Logs.Lines, line => line.Contains($"Webhook {first.Headers["X-Relayguard-Delivery"]} to ", StringComparison.Ordinal) && line.Contains("retry 1 of 4 in ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EventsFilter_SendsOnlyLifts()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = Settings(receiver);
        settings["Webhooks:Endpoints:0:Events:0"] = "lift";
        await using var relayguard = await RelayguardInstance.StartAsync(settings);
        using var ops = relayguard.OpsClient();

        await ops.PostAsJsonAsync("/api/blocks", new { kind = "account", subject = "trudy", reason = "phishing" });
        await ops.PostAsJsonAsync("/api/blocks/account/trudy/lift", new { reason = "cleared" });
        var webhook = await receiver.NextAsync();

        Assert.Equal("AccountUnblocked", webhook.Headers["X-Relayguard-Event"]);
        var data = webhook.Json.GetProperty("data");
        Assert.Equal(["OP1"], data.GetProperty("codes").EnumerateArray().Select(code => code.GetString()));
        Assert.Equal("admin", data.GetProperty("operator").GetString());
        Assert.Equal("cleared", data.GetProperty("reason").GetString());
        Assert.Single(receiver.All);
    }

    [Fact]
    public async Task Ca1_WarnsOnceThenBlocks()
    {
        await using var upstream = new RefusingUpstream(address => address.StartsWith("gone", StringComparison.Ordinal));
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = Settings(receiver);
        settings["Relay:Upstream"] = upstream.Endpoint;
        settings["Smtp:AllowPlaintextAuth"] = "true";

        // One window of ten years, so that no window boundary falls inside the test.
        settings["Rules:CA1:Window"] = "3650d";
        settings["Rules:CA1:Retention"] = "3650d";
        await using var relayguard = await RelayguardInstance.StartAsync(settings);
        relayguard.AddAccount("newsletter", Password);
        using var ops = relayguard.OpsClient();

        // 20 of 30 invalid: 80% of the 25 recipients, and far above 80% of the 20% share.
        await SendAsync(relayguard, invalid: 20, valid: 10, batch: "a");
        var warning = await receiver.NextOfTypeAsync("AccountWarned");
        var data = warning.Json.GetProperty("data");
        Assert.Equal("newsletter", data.GetProperty("account").GetString());
        Assert.Equal(20, data.GetProperty("invalidRecipients").GetInt32());
        Assert.Equal(30, data.GetProperty("distinctRecipients").GetInt32());
        Assert.Equal(25, data.GetProperty("minInvalidRecipients").GetInt32());
        Assert.Equal(0.8, data.GetProperty("warnAt").GetDouble());
        var warnings = await ops.GetFromJsonAsync<JsonElement>("/api/warnings?account=newsletter");
        Assert.Single(warnings.GetProperty("items").EnumerateArray());

        await SendAsync(relayguard, invalid: 3, valid: 1, batch: "b");
        await Wait.UntilAsync(() => BounceEventsProcessed(relayguard) >= 23, "CA1 to count 23 bounces");
        Assert.StartsWith("250", await MailFromAsync(relayguard));

        await SendAsync(relayguard, invalid: 2, valid: 1, batch: "c");
        var block = await receiver.NextOfTypeAsync("AccountBlocked");
        var evidence = block.Json.GetProperty("data").GetProperty("evidence");
        Assert.Equal(25, evidence.GetProperty("counts").GetProperty("invalidRecipients").GetDouble());
        Assert.False(evidence.TryGetProperty("samples", out _));
        Assert.DoesNotContain("gone-", block.Text, StringComparison.Ordinal);
        Assert.Single(receiver.All, webhook => webhook.Headers["X-Relayguard-Event"] == "AccountWarned");

        Assert.Equal(HttpStatusCode.OK, (await ops.PostAsJsonAsync("/api/blocks/account/newsletter/lift", new { reason = "list cleaned" })).StatusCode);
        var lift = await receiver.NextOfTypeAsync("AccountUnblocked");
        Assert.Equal("list cleaned", lift.Json.GetProperty("data").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Ca1_BounceBurst_NoWarningAfterBlock()
    {
        // 30 refused recipients of one message are 30 events, consumed concurrently: a warning decided just below
        // the block level must not be published, or dated, after the block.
        await using var upstream = new RefusingUpstream(address => address.StartsWith("gone", StringComparison.Ordinal));
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = Settings(receiver);
        settings["Relay:Upstream"] = upstream.Endpoint;
        settings["Smtp:AllowPlaintextAuth"] = "true";
        settings["Rules:CA1:Window"] = "3650d";
        settings["Rules:CA1:Retention"] = "3650d";
        await using var relayguard = await RelayguardInstance.StartAsync(settings);
        relayguard.AddAccount("newsletter", Password);

        await SendAsync(relayguard, invalid: 30, valid: 5, batch: "a");
        var block = await receiver.NextOfTypeAsync("AccountBlocked");

        // Every bounce counted, and the webhook of every warning CA1 published delivered, before the order is read:
        // a warning published after the block would otherwise arrive after the check.
        await Wait.UntilAsync(() => BounceEventsProcessed(relayguard) >= 30, "CA1 to count the 30 bounces");
        var published = PublishedWarnings(relayguard);
        await Wait.UntilAsync(() => receiver.All.Count(webhook => webhook.Headers["X-Relayguard-Event"] == "AccountWarned") == published, "the webhook of every warning");
        var blockedAt = block.Json.GetProperty("data").GetProperty("blockedAt").GetDateTimeOffset();
        var arrived = receiver.All.ToList();
        var blockPosition = arrived.FindIndex(webhook => webhook.Headers["X-Relayguard-Event"] == "AccountBlocked");
        foreach (var warning in arrived.Where(webhook => webhook.Headers["X-Relayguard-Event"] == "AccountWarned"))
        {
            Assert.True(arrived.IndexOf(warning) < blockPosition, "A warning arrived after the block.");
            Assert.True(warning.Json.GetProperty("data").GetProperty("warnedAt").GetDateTimeOffset() <= blockedAt, "A warning is dated after the block.");
        }
    }

    private static Dictionary<string, string?> Settings(WebhookReceiver receiver) => new()
    {
        ["Webhooks:Endpoints:0:Url"] = receiver.Url,
        ["Webhooks:Endpoints:0:Secret"] = Secret,
        ["Webhooks:RetryDelay"] = "0.05s",
        ["Webhooks:PollInterval"] = "0.1s",
    };

    private static async Task SendAsync(RelayguardInstance relayguard, int invalid, int valid, string batch)
    {
        var recipients = Enumerable.Range(0, invalid).Select(i => $"gone-{batch}{i}@example.net")
            .Concat(Enumerable.Range(0, valid).Select(i => $"reader-{batch}{i}@example.net"))
            .ToArray();
        using var client = await Clients.ConnectAsync(relayguard, "newsletter", Password);
        await client.SendAsync(Clients.Message("news@customer.test", "Monthly news", "News.", recipients));
        await client.DisconnectAsync(true);
    }

    private static async Task<string> MailFromAsync(RelayguardInstance relayguard)
    {
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        await raw.LoginAsync("newsletter", Password);
        return await raw.CommandAsync("MAIL FROM:<news@customer.test>");
    }

    private static long PublishedWarnings(RelayguardInstance relayguard)
    {
        using var connection = relayguard.Get<Relayguard.ServiceDefaults.SqliteDatabase>().Open();
        return (long)Relayguard.ServiceDefaults.SqliteDatabase.Scalar(connection, "SELECT COUNT(*) FROM ca1_warnings WHERE message <> '' AND published_at IS NOT NULL;")!;
    }

    private static long BounceEventsProcessed(RelayguardInstance relayguard)
    {
        using var connection = relayguard.Get<Relayguard.ServiceDefaults.SqliteDatabase>().Open();
        return (long)Relayguard.ServiceDefaults.SqliteDatabase.Scalar(connection, "SELECT COUNT(*) FROM processed_events WHERE consumer = 'ca1-delivery-bounced';")!;
    }
}
