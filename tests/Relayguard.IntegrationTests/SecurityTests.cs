using System.Net.Http.Json;
using System.Text.Json;
using MailKit.Net.Smtp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Relayguard.IntegrationTests.Infrastructure;

namespace Relayguard.IntegrationTests;

/// <summary>The AUTH throttle, its block in the operations API, and the sender policy, end to end.</summary>
public sealed class SecurityTests
{
    private const string Password = "security-test-passw0rd";

    [Fact]
    public async Task EmbeddedBus_UsageTelemetryOff()
    {
        await using var relayguard = await StartAsync();

        var options = relayguard.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MassTransit.UsageTelemetryOptions>>().Value;

        Assert.False(options.Enabled);
    }

    [Fact]
    public async Task AuthThrottle_FiveFailures_Gets454ForPair()
    {
        await using var relayguard = await StartAsync();
        relayguard.AddAccount("alice", Password);
        relayguard.AddAccount("bob", Password);

        await FailLoginsAsync(relayguard, "alice", 5);
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        var alice = await raw.LoginAsync("alice", Password);
        using var other = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        var bob = await other.LoginAsync("bob", Password);

        Assert.Equal("454 4.7.0 Too many failed logins, try again later", alice);
        Assert.StartsWith("235", bob);
        Assert.Contains(relayguard.Logs.Lines, line => line.Contains("AUTH throttled for alice from 127.0.0.1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AuthThrottle_AfterBlockFor_AcceptedAgain()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var relayguard = await RelayguardInstance.StartAsync(new() { ["Smtp:AllowPlaintextAuth"] = "true" }, configure: builder => builder.Services.AddSingleton<TimeProvider>(time));
        relayguard.AddAccount("alice", Password);
        await FailLoginsAsync(relayguard, "alice", 5);
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);

        var during = await raw.LoginAsync("alice", Password);
        time.Advance(TimeSpan.FromMinutes(15));
        var after = await raw.LoginAsync("alice", Password);

        Assert.StartsWith("454 4.7.0", during);
        Assert.StartsWith("235", after);
    }

    [Fact]
    public async Task AuthThrottle_FiveUserNames_Gets454ForAddress()
    {
        await using var relayguard = await StartAsync();
        relayguard.AddAccount("alice", Password);

        foreach (var user in new[] { "admin", "root", "info", "test", "sales" })
        {
            await FailLoginsAsync(relayguard, user, 1);
        }

        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        Assert.Equal("454 4.7.0 Too many failed logins, try again later", await raw.LoginAsync("alice", Password));
    }

    [Fact]
    public async Task AuthThrottle_ListedAndLiftable()
    {
        await using var relayguard = await StartAsync();
        relayguard.AddAccount("alice", Password);
        using var ops = relayguard.OpsClient();
        await FailLoginsAsync(relayguard, "alice", 5);

        JsonElement block = default;
        await Wait.UntilAsync(
            async () =>
            {
                var page = await ops.GetFromJsonAsync<JsonElement>("/api/blocks?kind=account");
                block = page.GetProperty("items").EnumerateArray().FirstOrDefault(b => b.GetProperty("code").GetString() == "AUTH");
                return block.ValueKind == JsonValueKind.Object;
            },
            "the AUTH throttle in the block list");

        Assert.Equal("alice/127.0.0.1", block.GetProperty("subject").GetString());
        Assert.Equal("active", block.GetProperty("state").GetString());
        var lift = await ops.PostAsJsonAsync("/api/blocks/account/alice%2F127.0.0.1/lift", new { reason = "customer called, password reset" });
        Assert.True(lift.IsSuccessStatusCode, await lift.Content.ReadAsStringAsync());

        string reply = string.Empty;
        await Wait.UntilAsync(
            async () =>
            {
                using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
                reply = await raw.LoginAsync("alice", Password);
                return reply.StartsWith("235", StringComparison.Ordinal);
            },
            "AUTH to be accepted after the lift");
        Assert.StartsWith("235", reply);
    }

    [Fact]
    public async Task AuthThrottle_Settings_Applied()
    {
        await using var relayguard = await StartAsync(new()
        {
            ["Auth:Throttle:Failures"] = "2",
            ["Auth:Throttle:BlockFor"] = "1h",
        });
        relayguard.AddAccount("alice", Password);

        await FailLoginsAsync(relayguard, "alice", 2);
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);

        Assert.StartsWith("454 4.7.0", await raw.LoginAsync("alice", Password));
    }

    [Fact]
    public async Task SenderPolicy_Refuse_Gets553()
    {
        await using var relayguard = await StartAsync(new()
        {
            ["Senders:Policy"] = "refuse",
            ["Senders:Accounts:alice:0"] = "alice@customer.test",
            ["Senders:Accounts:alice:1"] = "shop.customer.test",
        });
        relayguard.AddAccount("alice", Password);
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        await raw.LoginAsync("alice", Password);

        var foreign = await raw.CommandAsync("MAIL FROM:<ceo@bank.example>");
        var own = await raw.CommandAsync("MAIL FROM:<alice@customer.test>");
        await raw.CommandAsync("RSET");
        var domain = await raw.CommandAsync("MAIL FROM:<orders@shop.customer.test>");

        Assert.StartsWith("553 5.7.1 Sender address rejected: not owned by user alice. See http://", foreign);
        Assert.EndsWith("#sender", foreign);
        Assert.StartsWith("250", own);
        Assert.StartsWith("250", domain);
    }

    [Fact]
    public async Task SenderPolicy_DefaultLog_AcceptsAndLogs()
    {
        await using var relayguard = await StartAsync(new() { ["Senders:Accounts:alice:0"] = "alice@customer.test" });
        relayguard.AddAccount("alice", Password);
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        await raw.LoginAsync("alice", Password);

        var reply = await raw.CommandAsync("MAIL FROM:<ceo@bank.example>");

        Assert.StartsWith("250", reply);
        Assert.Contains(relayguard.Logs.Lines, line => line.Contains("account alice used the sender <ceo@bank.example>, which it may not use", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LoginFromManyNetworks_LoggedAsFlag()
    {
        // Every test client is on 127.0.0.1, so the threshold is one network.
        await using var relayguard = await StartAsync(new() { ["Auth:LoginNetworks:Count"] = "1" });
        relayguard.AddAccount("alice", Password);
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);

        await raw.LoginAsync("alice", Password);

        Assert.Contains(relayguard.Logs.Lines, line => line.Contains("Account alice logged in from 1 networks within 1h: 127.0.0.0/24", StringComparison.Ordinal));
    }

    private static async Task FailLoginsAsync(RelayguardInstance relayguard, string user, int count)
    {
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        for (var i = 0; i < count; i++)
        {
            Assert.StartsWith("535", await raw.LoginAsync(user, $"wrong-{i}"));
        }
    }

    private static Task<RelayguardInstance> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(settings ?? []) { ["Smtp:AllowPlaintextAuth"] = "true" };
        return RelayguardInstance.StartAsync(all);
    }
}
