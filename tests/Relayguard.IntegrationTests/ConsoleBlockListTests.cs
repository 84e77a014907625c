using System.Net.Http.Json;
using Microsoft.Playwright;
using Relayguard.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Relayguard.IntegrationTests;

/// <summary>The console's block list and lift dialog in headless Chromium, against an embedded instance.</summary>
public sealed class ConsoleBlockListTests
{
    [Fact]
    public async Task BlockList_BeyondFirstPage_ShownAndFound()
    {
        await using var relayguard = await RelayguardInstance.StartAsync([]);
        using var ops = relayguard.OpsClient();

        // The oldest block is on the API's second page of 500.
        await BlockAsync(ops, "account", "target-account", "oldest");
        for (var i = 0; i < 500; i++)
        {
            await BlockAsync(ops, "ip", $"198.51.{i / 250}.{i % 250 + 1}", "filler");
        }

        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await SignInAsync(chromium, relayguard);

        await Expect(page.Locator("#blocks-table tbody tr")).ToHaveCountAsync(501, new() { Timeout = 30_000 });
        await page.FillAsync("#filter-subject", "Target-Account");
        var rows = page.Locator("#blocks-table tbody tr");
        await Expect(rows).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await Expect(rows.First).ToContainTextAsync("target-account");
        await page.FillAsync("#filter-subject", "nobody-here");
        await Expect(page.Locator("#blocks-empty")).ToContainTextAsync("No blocks of nobody-here match the filters.", new() { Timeout = 15_000 });
    }

    [Fact]
    public async Task LiftDialog_ColleagueLifts_ShowsLifted()
    {
        await using var relayguard = await RelayguardInstance.StartAsync([]);
        using var ops = relayguard.OpsClient();
        await BlockAsync(ops, "account", "nina", "abuse report");
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await SignInAsync(chromium, relayguard);
        await page.Locator("#blocks-table tbody tr", new() { HasText = "nina" }).Locator("button.show-evidence").ClickAsync();
        await page.ClickAsync("#lift-button");
        await Expect(page.Locator("#lift-dialog")).ToBeVisibleAsync();

        using (var colleague = await ops.PostAsJsonAsync("/api/blocks/account/nina/lift", new { reason = "lifted by a colleague" }))
        {
            colleague.EnsureSuccessStatusCode();
        }

        // The console's refresh, every 3 seconds, may see the lift first and close the dialog; otherwise the confirm
        // gets the API's 404. Both paths must end in the same state, so the test takes whichever comes.
        try
        {
            await page.FillAsync("#lift-reason", "customer called", new() { Timeout = 2_000 });
            await page.ClickAsync("#lift-confirm", new() { Timeout = 2_000 });
        }
        catch (PlaywrightException)
        {
            // The refresh closed the dialog first.
        }

        await Expect(page.Locator("#lift-dialog")).ToBeHiddenAsync(new() { Timeout = 15_000 });
        await Expect(page.Locator("#notice")).ToContainTextAsync("admin lifted");
        await Expect(page.Locator("#notice")).ToContainTextAsync("lifted by a colleague");
        await Expect(page.Locator("#detail-blocks .block-card .state-lifted")).ToHaveTextAsync("lifted");
        await Expect(page.Locator("#lift-button")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task LiftedBlock_ExpiresShowsLift()
    {
        await using var relayguard = await RelayguardInstance.StartAsync([]);
        using var ops = relayguard.OpsClient();
        await BlockAsync(ops, "account", "oscar", "abuse report", "24h");
        (await ops.PostAsJsonAsync("/api/blocks/account/oscar/lift", new { reason = "explained" })).EnsureSuccessStatusCode();
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await SignInAsync(chromium, relayguard);

        await page.SelectOptionAsync("#filter-state", "lifted");
        var row = page.Locator("#blocks-table tbody tr", new() { HasText = "oscar" });
        await Expect(row.Locator("td").Nth(6)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^lifted \d{4}-\d\d-\d\d \d\d:\d\d UTC$"));
        await row.Locator("button.show-evidence").ClickAsync();
        var expires = page.Locator("#detail-blocks .block-card dt", new() { HasText = "Expires" }).Locator("xpath=following-sibling::dd[1]");
        await Expect(expires).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^lifted "));
    }

    [Fact]
    public async Task Op1AccountBlock_NoCa1Chart()
    {
        await using var relayguard = await RelayguardInstance.StartAsync([]);
        using var ops = relayguard.OpsClient();
        await BlockAsync(ops, "account", "peggy", "abuse report");
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await SignInAsync(chromium, relayguard);

        await page.Locator("#blocks-table tbody tr", new() { HasText = "peggy" }).Locator("button.show-evidence").ClickAsync();

        await Expect(page.Locator("#detail-blocks .block-card[data-code=OP1]")).ToBeVisibleAsync();
        await Expect(page.Locator("#chart")).ToBeEmptyAsync();
    }

    private static async Task BlockAsync(HttpClient ops, string kind, string subject, string reason, string? duration = null)
    {
        using var response = await ops.PostAsJsonAsync("/api/blocks", new { kind, subject, reason, @for = duration });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Opens the console in a new page and signs in with the operator token.</summary>
    private static async Task<IPage> SignInAsync(HeadlessChromium chromium, RelayguardInstance relayguard)
    {
        var page = await chromium.NewPageAsync();
        await page.GotoAsync(relayguard.OpsUrl.ToString());
        await page.FillAsync("#token", relayguard.OperatorToken);
        await page.ClickAsync("#sign-in-form button[type=submit]");
        await Expect(page.Locator("#who")).ToContainTextAsync("Signed in as admin (operate)");
        return page;
    }
}
