using System.Net;
using System.Net.Http.Json;
using Relayguard.Contracts;

namespace Relayguard.Operations.Tests;

/// <summary>The free-text <c>reason</c> of manual blocks, lifts and allowlist entries: control characters are rejected.</summary>
public sealed class ReasonInputTests
{
    public static TheoryData<string, string, string> ControlCharacters()
    {
        var data = new TheoryData<string, string, string>();
        (string Reason, string Named)[] reasons =
        [
            ("abuse\r\nreport", "a carriage return (U+000D) at character 6"),
            ("abuse\nreport", "a line feed (U+000A) at character 6"),
            ("abuse\treport", "a tab (U+0009) at character 6"),
            ("abuse \u001b[2J report", "the control character U+001B at character 7"),
            ("abuse \u001b]0;title\u0007", "the control character U+001B at character 7"),
            ("abuse\u007f", "the control character U+007F at character 6"),
            ("abuse \u009b2J", "the control character U+009B at character 7"),
            ("\0abuse", "the control character U+0000 at character 1"),
        ];
        foreach (var (reason, named) in reasons)
        {
            data.Add("block", reason, named);
            data.Add("lift", reason, named);
            data.Add("allow", reason, named);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ControlCharacters))]
    public async Task Reason_ControlCharacter_Returns400(string endpoint, string reason, string named)
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("mallory");

        using var response = await PostAsync(host, endpoint, reason);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await OperationsHost.ReadJsonAsync(response);
        Assert.Equal("Invalid request", problem.GetProperty("title").GetString());
        var message = Assert.Single(problem.GetProperty("errors").GetProperty("reason").EnumerateArray()).GetString();
        Assert.StartsWith($"The reason contains {named}: remove it", message, StringComparison.Ordinal);
        Assert.Contains("without line breaks, tabs or other control characters", message, StringComparison.Ordinal);
        Assert.StartsWith("reason: The reason contains", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("block")]
    [InlineData("lift")]
    [InlineData("allow")]
    public async Task Reason_ControlCharacter_ChangesNothing(string endpoint)
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("mallory");
        var auditBefore = await host.Operator.GetStringAsync("/api/audit");

        using var response = await PostAsync(host, endpoint, "line one\nline two");
        var auditAfter = await host.Operator.GetStringAsync("/api/audit");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(await host.Harness.Published.Any<AccountUnblocked>());
        Assert.Equal(auditBefore, auditAfter);
    }

    [Theory]
    [InlineData("block")]
    [InlineData("lift")]
    [InlineData("allow")]
    public async Task Reason_AccentsAndCjk_Kept(string endpoint)
    {
        const string Reason = "Beschwerde von Müller, 苦情 № 4711";
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("mallory");

        using var response = await PostAsync(host, endpoint, Reason);
        using var audit = await host.Operator.GetAsync("/api/audit");

        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var entry = (await OperationsHost.ReadJsonAsync(audit)).GetProperty("items")[0];
        Assert.Equal(Reason, entry.GetProperty("reason").GetString());
    }

    private static Task<HttpResponseMessage> PostAsync(OperationsHost host, string endpoint, string reason) => endpoint switch
    {
        "block" => host.Operator.PostAsJsonAsync("/api/blocks", new { kind = "account", subject = "trudy", reason }),
        "lift" => host.Operator.PostAsJsonAsync("/api/blocks/account/mallory/lift", new { reason }),
        "allow" => host.Operator.PostAsJsonAsync("/api/allowlist", new { kind = "account", subject = "trudy", reason }),
        _ => throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint, "Use block, lift or allow."),
    };
}
