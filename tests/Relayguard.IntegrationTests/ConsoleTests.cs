using System.Collections.Concurrent;
using System.Net.Http.Json;
using Microsoft.Playwright;
using Relayguard.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Relayguard.IntegrationTests;

/// <summary>The web console in headless Chromium against a running instance.</summary>
public sealed class ConsoleTests
{
    private const string Password = "list-owner-password";

    /// <summary>Where the end-to-end test saves its screenshot; set RELAYGUARD_CONSOLE_SCREENSHOT to keep it, for example as docs/console.png.</summary>
    private static readonly string ScreenshotPath =
        Environment.GetEnvironmentVariable("RELAYGUARD_CONSOLE_SCREENSHOT") is { Length: > 0 } path
            ? Path.GetFullPath(path)
            : Path.Combine(Path.GetTempPath(), $"relayguard-console-{Guid.NewGuid():N}.png");

    [Fact]
    public async Task Ca1Block_LiftedInConsole_AccountSendsAgain()
    {
        await using var upstream = new RefusingUpstream(address => address.StartsWith("gone", StringComparison.Ordinal));
        await using var relayguard = await RelayTests.StartAsync(upstream.Endpoint);
        relayguard.AddAccount("newsletter", Password);
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.NewPageAsync();
        var requests = new ConcurrentQueue<string>();
        page.Request += (_, request) => requests.Enqueue(request.Url);

        await page.GotoAsync(relayguard.OpsUrl.ToString());
        await page.FillAsync("#token", relayguard.OperatorToken);
        await page.ClickAsync("#sign-in-form button[type=submit]");
        await Expect(page.Locator("#who")).ToContainTextAsync("Signed in as admin (operate)");
        await Expect(page.Locator("#blocks-empty")).ToBeVisibleAsync();

        // The block appears while the page stays open: the console polls the API.
        await SendAsync(relayguard, invalid: 30, valid: 10);
        var row = page.Locator("#blocks-table tbody tr", new() { HasText = "newsletter" });
        await Expect(row).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(row).ToContainTextAsync("CA1");
        await row.Locator("button.show-evidence").ClickAsync();
        var card = page.Locator("#detail-blocks .block-card[data-code=CA1]");
        await Expect(card).ToContainTextAsync("proved invalid");
        await Expect(card.Locator("table.samples tbody tr")).ToHaveCountAsync(5);
        await Expect(card.Locator("table.counts")).ToContainTextAsync("minInvalidRecipients");
        await Expect(page.Locator("#chart svg")).ToHaveCountAsync(2);
        await Expect(page.Locator("#chart rect.bar.over")).ToHaveCountAsync(2);
        await page.ScreenshotAsync(new() { Path = ScreenshotPath, FullPage = true });

        await page.ClickAsync("#lift-button");
        await Expect(page.Locator("#lift-dialog")).ToBeVisibleAsync();
        await page.ClickAsync("#lift-confirm");
        await Expect(page.Locator("#lift-error")).ToContainTextAsync("Give a reason");
        // An operator who presses Enter in the reason box: the console sends the lines as one.
        await page.FillAsync("#lift-reason", "password changed,\nlist cleaned");
        await page.ClickAsync("#lift-confirm");
        await Expect(page.Locator("#notice")).ToContainTextAsync("Lifted CA1 on account newsletter.");
        await Expect(page.Locator("#lift-dialog")).ToBeHiddenAsync();
        await Expect(row).ToHaveCountAsync(0);

        await Wait.UntilAsync(async () => (await MailFromAsync(relayguard)).StartsWith("250", StringComparison.Ordinal), "the lift to reach the gateway");
        using (var client = await Clients.ConnectAsync(relayguard, "newsletter", Password))
        {
            await client.SendAsync(Clients.Message("news@customer.test", "After the lift", "Back again.", "reader-after@example.net"));
        }

        Assert.Contains(upstream.Received, message => message.Recipients.Contains("reader-after@example.net"));
        await page.ClickAsync("nav button[data-view=audit]");
        await Expect(page.Locator("#audit-table tbody tr").First).ToContainTextAsync("password changed, list cleaned");
        Assert.True(File.Exists(ScreenshotPath));
        Assert.All(requests, url => Assert.StartsWith(relayguard.OpsUrl.ToString(), url, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReadToken_NoLiftButton()
    {
        await using var relayguard = await RelayguardInstance.StartAsync([]);
        using var ops = relayguard.OpsClient();
        await ops.PostAsJsonAsync("/api/blocks", new { kind = "ip", subject = "203.0.113.8", reason = "open proxy" });
        var readToken = new Relayguard.Operations.Tokens.SqliteTokenStore(relayguard.Get<Relayguard.ServiceDefaults.SqliteDatabase>()).Add("viewer", "read");
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.NewPageAsync();

        await page.GotoAsync(relayguard.OpsUrl.ToString());
        await page.FillAsync("#token", readToken);
        await page.ClickAsync("#sign-in-form button[type=submit]");
        await page.Locator("#blocks-table tbody tr", new() { HasText = "203.0.113.8" }).Locator("button.show-evidence").ClickAsync();

        await Expect(page.Locator("#detail-title")).ToContainTextAsync("blocked by OP1");
        await Expect(page.Locator("#lift-button")).ToBeHiddenAsync();
        await Expect(page.Locator("#who")).ToContainTextAsync("(read)");
    }

    [Fact]
    public async Task WrongToken_ShowsError()
    {
        await using var relayguard = await RelayguardInstance.StartAsync([]);
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.NewPageAsync();

        await page.GotoAsync(relayguard.OpsUrl.ToString());
        await page.FillAsync("#token", "rg_this-is-not-a-valid-token");
        await page.ClickAsync("#sign-in-form button[type=submit]");

        await Expect(page.Locator("#sign-in-error")).ToContainTextAsync("This token was not accepted");
        await Expect(page.Locator("#app")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task Allowlist_AddAndRemove()
    {
        await using var relayguard = await RelayguardInstance.StartAsync([]);
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.NewPageAsync();
        await page.GotoAsync(relayguard.OpsUrl.ToString());
        await page.FillAsync("#token", relayguard.OperatorToken);
        await page.ClickAsync("#sign-in-form button[type=submit]");
        await page.ClickAsync("nav button[data-view=allowlist]");

        await page.SelectOptionAsync("#allow-kind", "ip");
        await page.FillAsync("#allow-subject", "192.0.2.0/24");
        await page.SelectOptionAsync("#allow-code", "CA2");
        await page.FillAsync("#allow-reason", "the provider's webmail");
        await page.ClickAsync("#allow-form button[type=submit]");
        var entry = page.Locator("#allow-table tbody tr", new() { HasText = "192.0.2.0/24" });
        await Expect(entry).ToContainTextAsync("CA2");
        await Expect(page.Locator("#notice")).ToContainTextAsync("Allowlisted ip 192.0.2.0/24 for CA2, with no expiry.");
        await entry.Locator("button").ClickAsync();
        await page.ClickAsync("#confirm-ok");

        await Expect(entry).ToHaveCountAsync(0);
        await Expect(page.Locator("#notice")).ToContainTextAsync("Removed the allowlist entry of ip 192.0.2.0/24.");
    }

    [Fact]
    public async Task Page_SetsContentSecurityPolicy()
    {
        await using var relayguard = await RelayguardInstance.StartAsync([]);
        using var anonymous = new HttpClient { BaseAddress = relayguard.OpsUrl };

        using var response = await anonymous.GetAsync("/");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("/console/console.js", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
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

    private static async Task<string> MailFromAsync(RelayguardInstance relayguard)
    {
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        await raw.LoginAsync("newsletter", Password);
        return await raw.CommandAsync("MAIL FROM:<news@customer.test>");
    }
}
