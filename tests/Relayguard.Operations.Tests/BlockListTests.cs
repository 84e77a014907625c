using System.Net;
using Relayguard.Contracts;

namespace Relayguard.Operations.Tests;

public sealed class BlockListTests
{
    [Fact]
    public async Task Blocks_PublishedAccountBlocked_IsListed()
    {
        await using var host = await OperationsHost.StartAsync();
        var eventId = await host.BlockAccountAsync("alice@example.com");

        using var response = await host.Operator.GetAsync("/api/blocks");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await OperationsHost.ReadJsonAsync(response);
        var item = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal("account", item.GetProperty("kind").GetString());
        Assert.Equal("alice@example.com", item.GetProperty("subject").GetString());
        Assert.Equal("CA1", item.GetProperty("code").GetString());
        Assert.Equal("active", item.GetProperty("state").GetString());
        Assert.Equal("detector:CA1", item.GetProperty("setBy").GetString());
        Assert.Equal(eventId, item.GetProperty("eventId").GetGuid());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, page.GetProperty("next").ValueKind);
    }

    [Fact]
    public async Task Blocks_PagingWithAfter_ReturnsEachOnce()
    {
        await using var host = await OperationsHost.StartAsync();
        var expected = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 7; i++)
        {
            // Two blocks share each time stamp, so the order must also use the id.
            await host.BlockAccountAsync($"user{i}", blockedAt: OperationsHost.Start.AddMinutes(-(i / 2)));
            expected.Add($"user{i}");
        }

        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var url = after is null ? "/api/blocks?limit=3" : $"/api/blocks?limit=3&after={Uri.EscapeDataString(after)}";
            var page = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync(url));
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("subject").GetString()!));
            after = page.GetProperty("next").GetString();
            pages++;
        }
        while (after is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(7, seen.Count);
        Assert.Equal(expected, seen.ToHashSet(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Blocks_FilterByCodeAndKind_ReturnsMatches()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("alice", RuleCodes.Ca1);
        await host.BlockAccountAsync("bob", RuleCodes.Bo1);
        var ip = Events.IpBlocked("203.0.113.5", host.Time.GetUtcNow());
        await host.PublishAsync(ip, ip.EventId);

        var byCode = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync("/api/blocks?code=bo1"));
        var byKind = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync("/api/blocks?kind=ip"));

        Assert.Equal("bob", Assert.Single(byCode.GetProperty("items").EnumerateArray()).GetProperty("subject").GetString());
        Assert.Equal("203.0.113.5", Assert.Single(byKind.GetProperty("items").EnumerateArray()).GetProperty("subject").GetString());
    }

    [Fact]
    public async Task Blocks_Expired_LeavesActiveList()
    {
        await using var host = await OperationsHost.StartAsync();
        var ip = Events.IpBlocked("203.0.113.5", host.Time.GetUtcNow(), expiresAt: host.Time.GetUtcNow().AddHours(24));
        await host.PublishAsync(ip, ip.EventId);

        host.Time.Advance(TimeSpan.FromHours(24));
        var active = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync("/api/blocks"));
        var all = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync("/api/blocks?state=all"));

        Assert.Equal(0, active.GetProperty("items").GetArrayLength());
        Assert.Equal("expired", Assert.Single(all.GetProperty("items").EnumerateArray()).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Consumer_DuplicateEvent_StoredOnce()
    {
        await using var host = await OperationsHost.StartAsync();
        var message = Events.AccountBlocked("alice", RuleCodes.Ca1, host.Time.GetUtcNow());

        await host.Harness.Bus.Publish(message);
        await host.Harness.Bus.Publish(message);
        await host.WaitConsumedAsync<AccountBlocked>(message.EventId, times: 2);

        var page = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync("/api/blocks?state=all"));
        Assert.Equal(1, page.GetProperty("items").GetArrayLength());
        var audit = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync("/api/audit?kind=account&subject=alice"));
        Assert.Equal(1, audit.GetProperty("items").GetArrayLength());
    }

    [Theory]
    [InlineData("/api/blocks?kind=user", "kind")]
    [InlineData("/api/blocks/user/alice", "kind")]
    [InlineData("/api/blocks?code=XX9", "code")]
    [InlineData("/api/blocks?limit=0", "limit")]
    [InlineData("/api/blocks?limit=501", "limit")]
    [InlineData("/api/blocks?limit=ten", "limit")]
    [InlineData("/api/blocks?after=not-a-cursor", "after")]
    [InlineData("/api/blocks?state=gone", "state")]
    [InlineData("/api/blocks/ip/999.0.0.1", "subject")]
    [InlineData("/api/audit?limit=1000", "limit")]
    [InlineData("/api/audit?after=bm9wZQ", "after")]
    public async Task Query_Invalid_Returns400NamingField(string url, string field)
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await OperationsHost.ReadJsonAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors has no '{field}': {problem}");
        Assert.StartsWith($"{field}: ", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blocks_CursorFromAudit_Rejected()
    {
        await using var host = await OperationsHost.StartAsync();
        var audit = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync("/api/audit?limit=1"));
        var cursor = audit.GetProperty("next").GetString()!;

        using var response = await host.Operator.GetAsync($"/api/blocks?after={Uri.EscapeDataString(cursor)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
