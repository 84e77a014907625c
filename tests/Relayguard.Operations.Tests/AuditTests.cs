using System.Net.Http.Json;
using Relayguard.Operations.Tokens;

namespace Relayguard.Operations.Tests;

public sealed class AuditTests
{
    [Fact]
    public async Task Audit_BlockLiftAndTokens_Recorded()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("alice");
        await host.Operator.PostAsJsonAsync("/api/blocks/account/alice/lift", new { reason = "password changed" });
        new SqliteTokenStore(host.Database, host.Time).Remove("viewer", "admin");

        var page = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync("/api/audit"));

        var entries = page.GetProperty("items").EnumerateArray()
            .Select(entry => (Action: entry.GetProperty("action").GetString(), Actor: entry.GetProperty("actor").GetString(), Subject: entry.GetProperty("subject").GetString()))
            .ToList();
        Assert.Equal(("token-remove", "admin", "viewer"), entries[0]);
        Assert.Equal(("lift", "admin", "alice"), entries[1]);
        Assert.Equal(("block", "detector:CA1", "alice"), entries[2]);
        Assert.Equal("token-add", entries[3].Action);
        Assert.Equal(("token-add", "startup", "admin"), entries[4]);
        var lift = page.GetProperty("items")[1];
        Assert.Equal("password changed", lift.GetProperty("reason").GetString());
        Assert.Equal("CA1", lift.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Audit_PagingWithAfter_ReturnsEachOnce()
    {
        await using var host = await OperationsHost.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            await host.BlockAccountAsync($"user{i}");
        }

        var first = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync("/api/audit?limit=3"));
        var next = first.GetProperty("next").GetString()!;
        var second = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync($"/api/audit?limit=3&after={Uri.EscapeDataString(next)}"));

        var ids = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray())
            .Select(entry => entry.GetProperty("id").GetInt64())
            .ToList();
        Assert.Equal(5, ids.Count);
        Assert.Equal(5, ids.Distinct().Count());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, second.GetProperty("next").ValueKind);
    }
}
