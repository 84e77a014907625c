using System.Collections.Concurrent;
using Microsoft.Playwright;
using Relayguard.IntegrationTests.Infrastructure;

namespace Relayguard.IntegrationTests;

/// <summary>The console's page declares its icon inline, so the browser requests no /favicon.ico and the policy blocks nothing.</summary>
public sealed class ConsoleIconTests
{
    [Fact]
    public async Task PageLoad_NoConsoleErrors()
    {
        await using var relayguard = await RelayguardInstance.StartAsync([]);
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.NewPageAsync();
        var errors = new ConcurrentQueue<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Enqueue($"{message.Text} ({message.Location})");
            }
        };

        await page.GotoAsync(relayguard.OpsUrl.ToString(), new() { WaitUntil = WaitUntilState.NetworkIdle });

        // Chromium fetches the icon outside the page's network events, so Playwright reports no request for
        // /favicon.ico. A 404 for it, or an icon the policy blocks, shows up only as an error on the console.
        Assert.True(errors.IsEmpty, string.Join(" | ", errors));
    }
}
