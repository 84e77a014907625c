using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Relayguard.Contracts;
using Relayguard.IntegrationTests.Infrastructure;
using Relayguard.ServiceDefaults;

namespace Relayguard.IntegrationTests;

/// <summary>Allowlist entries made through the API reach the detectors, which then neither count nor block the subject.</summary>
public sealed class AllowlistTests
{
    private const string Password = "list-owner-password";

    [Fact]
    public async Task Ca1_AllowlistedAccount_NotCounted()
    {
        await using var upstream = new RefusingUpstream(address => address.StartsWith("gone", StringComparison.Ordinal));
        await using var relayguard = await RelayTests.StartAsync(upstream.Endpoint);
        relayguard.AddAccount("newsletter", Password);
        using var ops = relayguard.OpsClient();
        await AllowAsync(relayguard, new { kind = "account", subject = "newsletter", code = "CA1", reason = "cleaning its list with support" });

        await SendAsync(relayguard, invalid: 30, valid: 10, batch: "a");
        await Wait.UntilAsync(() => LogCount(relayguard, "DeliveryBounced", "is allowlisted for CA1") >= 30, "CA1 to skip the 30 bounces");

        Assert.StartsWith("250", await MailFromAsync(relayguard));
        Assert.Equal(HttpStatusCode.NotFound, (await ops.GetAsync("/api/blocks/account/newsletter")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await ops.DeleteAsync("/api/allowlist/account/newsletter")).StatusCode);
        await Wait.UntilAsync(() => !IsActiveInDetector(relayguard, "ca1", "newsletter"), "CA1 to apply the removal");
        await SendAsync(relayguard, invalid: 30, valid: 10, batch: "b");
        await Wait.UntilAsync(async () => (await MailFromAsync(relayguard)).StartsWith("550", StringComparison.Ordinal), "the CA1 block after the removal");
    }

    [Fact]
    public async Task Ca2_AllowlistedRange_NeverBlocked()
    {
        await using var relayguard = await RelayguardInstance.StartAsync([]);
        using var ops = relayguard.OpsClient();
        await AllowAsync(relayguard, new { kind = "ip", subject = "198.51.100.0/24", code = "CA2", reason = "the provider's own webmail" });
        var bus = relayguard.Get<IBus>();

        for (var i = 0; i < 5; i++)
        {
            await PublishAsync(bus, Submitted(null, "198.51.100.7", SpamActions.Reject, SubmissionOutcomes.Refused, RuleCodes.Ca2));
            await PublishAsync(bus, Submitted(null, "203.0.113.9", SpamActions.Reject, SubmissionOutcomes.Refused, RuleCodes.Ca2));
        }

        await Wait.UntilAsync(async () => (await ops.GetAsync("/api/blocks/ip/203.0.113.9")).StatusCode == HttpStatusCode.OK, "the CA2 block of 203.0.113.9");
        await Wait.UntilAsync(() => LogCount(relayguard, "is allowlisted for CA2") >= 5, "CA2 to skip the allowlisted address");
        Assert.Equal(HttpStatusCode.NotFound, (await ops.GetAsync("/api/blocks/ip/198.51.100.7")).StatusCode);
    }

    [Fact]
    public async Task Bo1_AllowlistedAccount_NeverBlocked()
    {
        await using var relayguard = await RelayguardInstance.StartAsync([]);
        using var ops = relayguard.OpsClient();
        await AllowAsync(relayguard, new { kind = "account", subject = "mx1", reason = "forwarding server under migration" });
        var bus = relayguard.Get<IBus>();

        for (var i = 0; i < 3; i++)
        {
            await PublishAsync(bus, Submitted("mx1", "192.0.2.10", SpamActions.NoAction, SubmissionOutcomes.Refused, RuleCodes.Bo1));
            await PublishAsync(bus, Submitted("mx2", "192.0.2.20", SpamActions.NoAction, SubmissionOutcomes.Refused, RuleCodes.Bo1));
        }

        await Wait.UntilAsync(async () => (await ops.GetAsync("/api/blocks/account/mx2")).StatusCode == HttpStatusCode.OK, "the BO1 block of mx2");
        await Wait.UntilAsync(() => LogCount(relayguard, "is allowlisted for BO1") >= 3, "BO1 to skip mx1's refusals");
        Assert.Equal(HttpStatusCode.NotFound, (await ops.GetAsync("/api/blocks/account/mx1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ops.GetAsync("/api/blocks/ip/192.0.2.10")).StatusCode);
    }

    [Fact]
    public async Task Bo1_AllowlistTypedInCapitals_ExemptsTheAccount()
    {
        await using var relayguard = await RelayguardInstance.StartAsync([]);
        using var ops = relayguard.OpsClient();
        await AllowAsync(relayguard, new { kind = "account", subject = "HANK", code = "BO1", reason = "forwards bounces for a mailing list" });
        var bus = relayguard.Get<IBus>();

        for (var i = 0; i < 3; i++)
        {
            await PublishAsync(bus, Submitted("hank", "192.0.2.30", SpamActions.NoAction, SubmissionOutcomes.Refused, RuleCodes.Bo1));
            await PublishAsync(bus, Submitted("ivan", "192.0.2.31", SpamActions.NoAction, SubmissionOutcomes.Refused, RuleCodes.Bo1));
        }

        await Wait.UntilAsync(async () => (await ops.GetAsync("/api/blocks/account/ivan")).StatusCode == HttpStatusCode.OK, "the BO1 block of ivan");
        await Wait.UntilAsync(() => LogCount(relayguard, "is allowlisted for BO1") >= 3, "BO1 to skip hank's refusals");
        Assert.Equal(HttpStatusCode.NotFound, (await ops.GetAsync("/api/blocks/account/hank")).StatusCode);
    }

    /// <summary>Adds an entry through the API and waits until every detector has applied it.</summary>
    private static async Task AllowAsync(RelayguardInstance relayguard, object entry)
    {
        using var ops = relayguard.OpsClient();
        using var response = await ops.PostAsJsonAsync("/api/allowlist", entry);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var eventId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("eventId").GetGuid();
        foreach (var consumer in new[] { "ca1-allowlist", "ca2-allowlist", "bo1-allowlist" })
        {
            await Wait.UntilAsync(() => IsProcessed(relayguard, consumer, eventId), $"{consumer} to apply the allowlist entry");
        }
    }

    private static bool IsProcessed(RelayguardInstance relayguard, string consumer, Guid eventId)
    {
        using var connection = relayguard.Get<SqliteDatabase>().Open();
        return SqliteDatabase.Scalar(
            connection,
            "SELECT 1 FROM processed_events WHERE consumer = $consumer AND event_id = $event;",
            null,
            ("$consumer", consumer),
            ("$event", eventId.ToString("N"))) is not null;
    }

    private static bool IsActiveInDetector(RelayguardInstance relayguard, string prefix, string account)
    {
        using var connection = relayguard.Get<SqliteDatabase>().Open();
        return SqliteDatabase.Scalar(
            connection,
            $"SELECT active FROM {prefix}_allowlist WHERE kind = 'account' AND subject = $subject;",
            null,
            ("$subject", account)) is 1L;
    }

    private static int LogCount(RelayguardInstance relayguard, params string[] parts) =>
        relayguard.Logs.Lines.Count(line => parts.All(part => line.Contains(part, StringComparison.Ordinal)));

    private static Task PublishAsync(IBus bus, MessageSubmitted message) =>
        bus.Publish(message, context => context.MessageId = message.EventId);

    private static MessageSubmitted Submitted(string? account, string clientIp, string spamAction, string outcome, string refusalCode) => new()
    {
        EventId = Guid.NewGuid(),
        GatewayMessageId = "TEST" + Guid.NewGuid().ToString("N")[..8],
        SubmittedAt = DateTimeOffset.UtcNow,
        Account = account,
        ClientIp = clientIp,
        NullSender = refusalCode == RuleCodes.Bo1,
        RecipientHashes = ["hash-of-recipient"],
        RecipientCount = 1,
        Size = 1200,
        SpamScore = spamAction == SpamActions.Reject ? 1000 : 0.5,
        SpamAction = spamAction,
        Outcome = outcome,
        RefusalCode = refusalCode,
        RefusalStage = "data",
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
}
