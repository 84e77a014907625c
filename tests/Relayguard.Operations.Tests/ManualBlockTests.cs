using System.Net;
using System.Net.Http.Json;
using Relayguard.Contracts;

namespace Relayguard.Operations.Tests;

public sealed class ManualBlockTests
{
    [Fact]
    public async Task ManualBlock_Account_PublishesOp1()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.PostAsJsonAsync("/api/blocks", new { kind = "account", subject = "mallory", code = "OP1", reason = "abuse report 4711", @for = "24h" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/api/blocks/account/mallory", response.Headers.Location?.OriginalString);
        var body = await OperationsHost.ReadJsonAsync(response);
        Assert.Equal("OP1", body.GetProperty("code").GetString());
        Assert.Equal("admin", body.GetProperty("setBy").GetString());
        Assert.True(await host.Harness.Published.Any<AccountBlocked>());
        var published = host.Harness.Published.Select<AccountBlocked>().Single().Context.Message;
        Assert.Equal("OP1", published.Code);
        Assert.Equal("mallory", published.Account);
        Assert.Equal("abuse report 4711", published.Reason);
        Assert.Equal(OperationsHost.Start.AddHours(24), published.ExpiresAt);
    }

    [Fact]
    public async Task ManualBlock_ConsumedOwnEvent_StoredOnce()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.PostAsJsonAsync("/api/blocks", new { kind = "ip", subject = "203.0.113.9", code = "OP1", reason = "open proxy" });
        var eventId = (await OperationsHost.ReadJsonAsync(response)).GetProperty("eventId").GetGuid();
        await host.WaitConsumedAsync<IpBlocked>(eventId, times: 1);

        var page = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync("/api/blocks"));
        var item = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal("admin", item.GetProperty("setBy").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, item.GetProperty("expiresAt").ValueKind);
    }

    [Theory]
    [InlineData("account", "mallory", "OP1", "abuse", "soon", "for")]
    [InlineData("account", "mallory", "OP1", "abuse", "0h", "for")]
    [InlineData("account", "mallory", "CA1", "abuse", null, "code")]
    [InlineData("account", "mallory", "XX1", "abuse", null, "code")]
    [InlineData("account", "mallory", "OP1", " ", null, "reason")]
    [InlineData("host", "mallory", "OP1", "abuse", null, "kind")]
    [InlineData("ip", "2001:db8::1", "OP1", "abuse", null, "subject")]
    [InlineData("ip", "203.0.113.0/24", "OP1", "abuse", null, "subject")]
    [InlineData("account", "", "OP1", "abuse", null, "subject")]
    public async Task ManualBlock_Invalid_Returns400NamingField(string kind, string subject, string code, string reason, string? duration, string field)
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.PostAsJsonAsync("/api/blocks", new { kind, subject, code, reason, @for = duration });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await OperationsHost.ReadJsonAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors has no '{field}': {problem}");
        Assert.False(await host.Harness.Published.Any<AccountBlocked>());
    }

    [Fact]
    public async Task ManualBlock_SingleIpv6_SuggestsPrefix()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.PostAsJsonAsync("/api/blocks", new { kind = "ip", subject = "2001:db8::1", reason = "abuse" });

        var problem = await OperationsHost.ReadJsonAsync(response);
        Assert.Contains("2001:db8::/64", problem.GetProperty("errors").GetProperty("subject")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManualBlock_ReadToken_Returns403()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Reader.PostAsJsonAsync("/api/blocks", new { kind = "account", subject = "mallory", reason = "abuse" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
