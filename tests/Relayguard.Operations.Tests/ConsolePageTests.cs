using System.Net;
using System.Text.RegularExpressions;

namespace Relayguard.Operations.Tests;

/// <summary>The console's page at <c>/</c>: its icon and the Content-Security-Policy it is sent with.</summary>
public sealed partial class ConsolePageTests
{
    [Fact]
    public async Task Page_DeclaresIconWithoutRequest()
    {
        await using var host = await OperationsHost.StartAsync();

        var html = await host.Anonymous.GetStringAsync("/");

        var head = html[..html.IndexOf("</head>", StringComparison.Ordinal)];
        var icon = IconLink().Match(head);
        Assert.True(icon.Success, $"The head declares no icon, so browsers request /favicon.ico: {head}");
        Assert.StartsWith("data:", icon.Groups["href"].Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_PolicyAllowsDataImages()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Anonymous.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var directives = response.Headers.GetValues("Content-Security-Policy").Single()
            .Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("img-src 'self' data:", directives);
        Assert.Contains("script-src 'self'", directives);
        Assert.Contains("default-src 'none'", directives);
    }

    [GeneratedRegex("""<link\s+rel="icon"\s+href="(?<href>[^"]*)"\s*>""")]
    private static partial Regex IconLink();
}
