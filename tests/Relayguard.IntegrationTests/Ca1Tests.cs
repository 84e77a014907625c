using System.Net.Http.Json;
using MassTransit;
using Microsoft.Data.Sqlite;
using Relayguard.Contracts;
using Relayguard.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Relayguard.ServiceDefaults;

namespace Relayguard.IntegrationTests;

/// <summary>CA1 end to end: an account sends to many addresses that the upstream reports as unknown.</summary>
public sealed class Ca1Tests
{
    private const string Password = "list-owner-password";

    [Fact]
    public async Task InvalidRecipients_BlockAccount_AndSurviveRestart()
    {
        await using var upstream = new RefusingUpstream(address => address.StartsWith("gone", StringComparison.Ordinal));
        var relayguard = await RelayTests.StartAsync(upstream.Endpoint);
        try
        {
            relayguard.AddAccount("newsletter", Password);

            // 24 invalid of 30: above the share, one below the count, so no block yet.
            await SendAsync(relayguard, invalid: 24, valid: 6, batch: "a");
            await Wait.UntilAsync(() => BounceEventsProcessed(relayguard) >= 24, "CA1 to count 24 bounces");
            Assert.StartsWith("250", await MailFromAsync(relayguard));

            await SendAsync(relayguard, invalid: 1, valid: 0, batch: "b");
            await Wait.UntilAsync(async () => (await MailFromAsync(relayguard)).StartsWith("550", StringComparison.Ordinal), "the CA1 block to reach the gateway");
            Assert.Equal(
                "550 5.7.1 Sending from this account is blocked: too many messages to addresses that do not exist (CA1). See " + HelpUrl(relayguard) + "#CA1",
                await MailFromAsync(relayguard));

            relayguard = await relayguard.RestartAsync();
            Assert.StartsWith("550 5.7.1 Sending from this account is blocked", await MailFromAsync(relayguard));
        }
        finally
        {
            await relayguard.DisposeAsync();
        }
    }

    [Fact]
    public async Task Lift_LetsAccountSendAgain_OldBouncesDoNotReblock()
    {
        await using var upstream = new RefusingUpstream(address => address.StartsWith("gone", StringComparison.Ordinal));
        await using var relayguard = await RelayTests.StartAsync(upstream.Endpoint);
        relayguard.AddAccount("newsletter", Password);
        var before = DateTimeOffset.UtcNow;
        await SendAsync(relayguard, invalid: 30, valid: 10, batch: "a");
        await Wait.UntilAsync(async () => (await MailFromAsync(relayguard)).StartsWith("550", StringComparison.Ordinal), "the CA1 block");

        using var ops = relayguard.OpsClient();
        var lift = await ops.PostAsJsonAsync("/api/blocks/account/newsletter/lift", new { reason = "password changed, list cleaned" });
        Assert.Equal(System.Net.HttpStatusCode.OK, lift.StatusCode);
        await Wait.UntilAsync(async () => (await MailFromAsync(relayguard)).StartsWith("250", StringComparison.Ordinal), "the lift to reach the gateway");

        // Late DSNs for the mail sent before the lift arrive afterwards: kept as evidence, never counted again.
        var bus = relayguard.Get<IBus>();
        var late = Enumerable.Range(0, 30).Select(i => new DeliveryBounced
        {
            EventId = Guid.NewGuid(),
            GatewayMessageId = "LATE" + i,
            Account = "newsletter",
            ClientIp = "127.0.0.1",
            RecipientAddress = $"late{i}@example.net",
            RecipientHash = $"late-hash-{i}",
            ReplyCode = 550,
            EnhancedStatus = "5.1.1",
            Reply = "550 5.1.1 User unknown",
            AddressInvalid = true,
            Permanent = true,
            Reason = "user-unknown",
            SubmittedAt = before,
            BouncedAt = DateTimeOffset.UtcNow,
            Source = BounceSources.Dsn,
        }).ToList();
        foreach (var bounce in late)
        {
            await bus.Publish(bounce, context => context.MessageId = bounce.EventId);
        }

        await Wait.UntilAsync(() => Processed(relayguard, late.Select(b => b.EventId)) == late.Count, "CA1 to process the late bounces");
        Assert.StartsWith("250", await MailFromAsync(relayguard));
        var blocks = await ops.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/blocks?kind=account&code=CA1");
        Assert.Equal(0, blocks.GetProperty("items").GetArrayLength());
    }

    private static async Task SendAsync(RelayguardInstance relayguard, int invalid, int valid, string batch)
    {
        var recipients = Enumerable.Range(0, invalid).Select(i => $"gone-{batch}{i}@example.net")
            .Concat(Enumerable.Range(0, valid).Select(i => $"reader-{batch}{i}@example.net"))
            .ToArray();
        using var client = await Clients.ConnectAsync(relayguard, "newsletter", Password);
        if (valid == 0)
        {
            // Every recipient refused: the client gets the upstream's own reply.
            await Assert.ThrowsAsync<MailKit.Net.Smtp.SmtpCommandException>(() => client.SendAsync(Clients.Message("news@customer.test", "Monthly news", "News.", recipients)));
        }
        else
        {
            await client.SendAsync(Clients.Message("news@customer.test", "Monthly news", "News.", recipients));
        }

        await client.DisconnectAsync(true);
    }

    private static async Task<string> MailFromAsync(RelayguardInstance relayguard)
    {
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        await raw.LoginAsync("newsletter", Password);
        return await raw.CommandAsync("MAIL FROM:<news@customer.test>");
    }

    private static string HelpUrl(RelayguardInstance relayguard) =>
        Relayguard.Gateway.GatewayRegistration.HelpBaseUrl(
            new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Operations:Listen"] = "127.0.0.1:0" }).Build(),
            new Relayguard.Gateway.HelpOptions());

    private static long BounceEventsProcessed(RelayguardInstance relayguard)
    {
        using var connection = relayguard.Get<SqliteDatabase>().Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM processed_events WHERE consumer LIKE '%ca1%' COLLATE NOCASE AND consumer LIKE '%bounce%' COLLATE NOCASE;";
        return (long)command.ExecuteScalar()!;
    }

    private static int Processed(RelayguardInstance relayguard, IEnumerable<Guid> eventIds)
    {
        using var connection = relayguard.Get<SqliteDatabase>().Open();
        var count = 0;
        foreach (var id in eventIds)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM processed_events WHERE event_id IN ($n, $d);";
            command.Parameters.AddWithValue("$n", id.ToString("N"));
            command.Parameters.AddWithValue("$d", id.ToString());
            count += (long)command.ExecuteScalar()! > 0 ? 1 : 0;
        }

        return count;
    }
}
