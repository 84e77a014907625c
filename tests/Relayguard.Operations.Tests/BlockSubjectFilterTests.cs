using System.Net;
using Relayguard.Contracts;

namespace Relayguard.Operations.Tests;

public sealed class BlockSubjectFilterTests
{
    [Fact]
    public async Task SubjectFilter_Account_ReturnsOnlyIt()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("alice");
        await host.BlockAccountAsync("erin");
        await host.BlockAccountAsync("erina");

        var page = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync("/api/blocks?subject=ERIN&limit=1"));

        var item = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal("erin", item.GetProperty("subject").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, page.GetProperty("next").ValueKind);
    }

    [Fact]
    public async Task SubjectFilter_Account_IncludesPerAddressBlocks()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("erin", AuthThrottled.Code, onIp: "127.0.0.150");
        await host.BlockAccountAsync("erinx", AuthThrottled.Code, onIp: "127.0.0.151");

        var page = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync("/api/blocks?subject=erin"));

        var item = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal("erin/127.0.0.150", item.GetProperty("subject").GetString());
        Assert.Equal("127.0.0.150", item.GetProperty("onIp").GetString());
    }

    [Fact]
    public async Task SubjectFilter_NumericAccountName_ReadAsAccount()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("100234");

        var page = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync("/api/blocks?subject=100234"));

        var item = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal("100234", item.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task Show_AccountName_PerAddressBlocksOnly()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("erin", AuthThrottled.Code, onIp: "127.0.0.150");
        await host.BlockAccountAsync("erin0", AuthThrottled.Code, onIp: "127.0.0.151");
        await host.BlockAccountAsync("erin.x");

        var shown = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync("/api/blocks/account/erin"));

        var block = Assert.Single(shown.GetProperty("blocks").EnumerateArray());
        Assert.Equal("erin/127.0.0.150", block.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task SubjectFilter_Address_MatchesIpBlock()
    {
        await using var host = await OperationsHost.StartAsync();
        var ip = Events.IpBlocked("203.0.113.5", host.Time.GetUtcNow());
        await host.PublishAsync(ip, ip.EventId);
        await host.BlockAccountAsync("alice");

        var page = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync("/api/blocks?subject=203.0.113.5"));

        Assert.Equal("ip", Assert.Single(page.GetProperty("items").EnumerateArray()).GetProperty("kind").GetString());
    }

    [Fact]
    public async Task SubjectFilter_Invalid_Returns400()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.GetAsync("/api/blocks?subject=erin/not-an-address");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await OperationsHost.ReadJsonAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("subject", out _));
    }

    [Theory]
    [InlineData("/api/blocks?subjet=erin", "subjet")]
    [InlineData("/api/blocks/account/erin?state=all", "state")]
    [InlineData("/api/audit?code=CA1", "code")]
    [InlineData("/api/allowlist?limit=5", "limit")]
    public async Task UnknownQueryParameter_Returns400NamingIt(string url, string parameter)
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await OperationsHost.ReadJsonAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out var messages));
        Assert.StartsWith($"Unknown query parameter '{parameter}'", messages[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KnownQueryParameters_AnyCase_Accepted()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.GetAsync("/api/blocks?Kind=account&STATE=all&limit=5");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Cursor_OtherFilters_Returns400()
    {
        await using var host = await OperationsHost.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            await host.BlockAccountAsync($"user{i}", RuleCodes.Ca1);
        }

        var first = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync("/api/blocks?code=CA1&limit=1"));
        var next = Uri.EscapeDataString(first.GetProperty("next").GetString()!);
        using var same = await host.Operator.GetAsync($"/api/blocks?code=CA1&limit=2&after={next}");
        using var other = await host.Operator.GetAsync($"/api/blocks?code=BO1&limit=1&after={next}");

        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.Equal(2, (await OperationsHost.ReadJsonAsync(same)).GetProperty("items").GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        var problem = await OperationsHost.ReadJsonAsync(other);
        Assert.Contains("other filters", problem.GetProperty("errors").GetProperty("after")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditCursor_OtherSubject_Returns400()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("alice");
        await host.BlockAccountAsync("alice", RuleCodes.Bo1);

        var first = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync("/api/audit?kind=account&subject=alice&limit=1"));
        var next = Uri.EscapeDataString(first.GetProperty("next").GetString()!);
        using var other = await host.Operator.GetAsync($"/api/audit?kind=account&subject=bob&limit=1&after={next}");

        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
    }
}
