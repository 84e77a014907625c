using System.Net;
using System.Net.Http.Json;
using Relayguard.IntegrationTests.Infrastructure;

namespace Relayguard.IntegrationTests;

/// <summary>AUTH ignores the case of an account name, so blocks and lifts an operator types must too.</summary>
public sealed class AccountNameTests
{
    private const string Password = "case-blind-password";

    [Fact]
    public async Task Block_TypedInCapitals_RefusesTheAccount()
    {
        await using var relayguard = await RelayguardInstance.StartAsync(new() { ["Smtp:AllowPlaintextAuth"] = "true" });
        relayguard.AddAccount("Carol", Password);
        using var ops = relayguard.OpsClient();

        using var created = await ops.PostAsJsonAsync("/api/blocks", new { kind = "account", subject = "CAROL", reason = "abuse report" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await Wait.UntilAsync(async () => (await MailFromAsync(relayguard, "carol")).StartsWith("550", StringComparison.Ordinal), "the block typed as CAROL to refuse carol");
        Assert.StartsWith("550", await MailFromAsync(relayguard, "CaRoL"));
        Assert.Equal(HttpStatusCode.OK, (await ops.GetAsync("/api/blocks/account/Carol")).StatusCode);

        using var lifted = await ops.PostAsJsonAsync("/api/blocks/account/carol/lift", new { reason = "customer cleaned up" });

        Assert.Equal(HttpStatusCode.OK, lifted.StatusCode);
        await Wait.UntilAsync(async () => (await MailFromAsync(relayguard, "Carol")).StartsWith("250", StringComparison.Ordinal), "the lift typed as carol to reach the gateway");
    }

    private static async Task<string> MailFromAsync(RelayguardInstance relayguard, string userName)
    {
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        Assert.StartsWith("235", await raw.LoginAsync(userName, Password));
        return await raw.CommandAsync("MAIL FROM:<carol@customer.test>");
    }
}
