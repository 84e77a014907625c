using System.Net;
using System.Net.Http.Json;
using Relayguard.Contracts;

namespace Relayguard.Operations.Tests;

public sealed class LiftTests
{
    [Fact]
    public async Task Lift_Active_PublishesAccountUnblocked()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("alice");

        using var response = await host.Operator.PostAsJsonAsync("/api/blocks/account/alice/lift", new { reason = "password changed" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await OperationsHost.ReadJsonAsync(response);
        Assert.Equal(["CA1"], body.GetProperty("codes").EnumerateArray().Select(code => code.GetString()));
        Assert.Equal("admin", body.GetProperty("operator").GetString());
        Assert.Equal("lifted", Assert.Single(body.GetProperty("blocks").EnumerateArray()).GetProperty("state").GetString());

        Assert.True(await host.Harness.Published.Any<AccountUnblocked>());
        var published = host.Harness.Published.Select<AccountUnblocked>().Single().Context;
        Assert.Equal("admin", published.Message.Operator);
        Assert.Equal("alice", published.Message.Account);
        Assert.Null(published.Message.OnIp);
        Assert.Equal(["CA1"], published.Message.Codes);
        Assert.Equal("password changed", published.Message.Reason);
        Assert.Equal(published.Message.EventId, published.MessageId);
    }

    [Fact]
    public async Task Lift_Active_LeavesActiveListKeepsHistory()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("alice");

        await host.Operator.PostAsJsonAsync("/api/blocks/account/alice/lift", new { reason = "password changed" });

        var active = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync("/api/blocks"));
        var lifted = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync("/api/blocks?state=lifted"));
        Assert.Equal(0, active.GetProperty("items").GetArrayLength());
        var item = Assert.Single(lifted.GetProperty("items").EnumerateArray());
        Assert.Equal("admin", item.GetProperty("liftedBy").GetString());
        Assert.Equal("password changed", item.GetProperty("liftReason").GetString());
    }

    [Fact]
    public async Task Lift_NamedCode_LiftsOnlyIt()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("alice", RuleCodes.Ca1);
        await host.BlockAccountAsync("alice", RuleCodes.Bo1);

        using var response = await host.Operator.PostAsJsonAsync("/api/blocks/account/alice/lift", new { reason = "bounces explained", code = "BO1" });

        var body = await OperationsHost.ReadJsonAsync(response);
        Assert.Equal(["BO1"], body.GetProperty("codes").EnumerateArray().Select(code => code.GetString()));
        var active = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync("/api/blocks"));
        Assert.Equal("CA1", Assert.Single(active.GetProperty("items").EnumerateArray()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Lift_NothingActive_Returns404Problem()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.PostAsJsonAsync("/api/blocks/account/alice/lift", new { reason = "checking" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await OperationsHost.ReadJsonAsync(response);
        Assert.Contains("alice", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(await host.Harness.Published.Any<AccountUnblocked>());
    }

    [Fact]
    public async Task Lift_Again_NamesWhoLiftedAndWhen()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("alice");
        await host.Operator.PostAsJsonAsync("/api/blocks/account/alice/lift", new { reason = "password changed" });

        using var response = await host.Operator.PostAsJsonAsync("/api/blocks/account/alice/lift", new { reason = "password changed" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await OperationsHost.ReadJsonAsync(response);
        Assert.Equal(
            "No active block on account 'alice', so nothing was lifted. admin lifted the last one (CA1) at 2025-06-01 12:00:00 UTC: password changed.",
            problem.GetProperty("detail").GetString());
        Assert.Equal("admin", problem.GetProperty("lastBlock").GetProperty("liftedBy").GetString());
    }

    [Fact]
    public async Task Lift_Expired_SaysWhenItExpired()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("alice", RuleCodes.Bo1, expiresAt: host.Time.GetUtcNow().AddHours(1));
        host.Time.Advance(TimeSpan.FromHours(2));

        using var response = await host.Operator.PostAsJsonAsync("/api/blocks/account/alice/lift", new { reason = "checking" });

        var problem = await OperationsHost.ReadJsonAsync(response);
        Assert.EndsWith("The last one (BO1) expired at 2025-06-01 13:00:00 UTC.", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lift_CodeNotActive_NamesActiveCodes()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("alice", RuleCodes.Ca1);

        using var response = await host.Operator.PostAsJsonAsync("/api/blocks/account/alice/lift", new { reason = "checking", code = "CA2" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await OperationsHost.ReadJsonAsync(response);
        Assert.EndsWith("Active codes: CA1.", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lift_MissingReason_Returns400NamingReason()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("alice");

        using var response = await host.Operator.PostAsJsonAsync("/api/blocks/account/alice/lift", new { code = "CA1" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await OperationsHost.ReadJsonAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("reason", out _));
    }

    [Fact]
    public async Task Lift_BadKind_Returns400NamingKind()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.PostAsJsonAsync("/api/blocks/user/alice/lift", new { reason = "checking" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await OperationsHost.ReadJsonAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("kind", out var messages));
        Assert.Contains("account or ip", messages[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lift_NotJson_Returns415()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("alice");

        using var response = await host.Operator.PostAsync("/api/blocks/account/alice/lift", new StringContent("reason=x"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Lift_InvalidJson_Returns400NamingBody()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("alice");
        using var content = new StringContent("{\"reason\": ", System.Text.Encoding.UTF8, "application/json");

        using var response = await host.Operator.PostAsync("/api/blocks/account/alice/lift", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await OperationsHost.ReadJsonAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("body", out _));
    }

    [Fact]
    public async Task Lift_WrongJsonType_Returns400NamingField()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("alice");
        using var content = new StringContent("{\"reason\": 5}", System.Text.Encoding.UTF8, "application/json");

        using var response = await host.Operator.PostAsync("/api/blocks/account/alice/lift", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await OperationsHost.ReadJsonAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("reason", out var messages));
        Assert.Contains("a string", messages[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lift_OtherProcessEvent_Recorded()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("alice");
        var unblocked = new AccountUnblocked
        {
            EventId = Guid.NewGuid(),
            Account = "alice",
            Codes = [RuleCodes.Ca1],
            Operator = "support-desk",
            Reason = "lifted from another operations instance",
            UnblockedAt = host.Time.GetUtcNow(),
        };

        await host.PublishAsync(unblocked, unblocked.EventId);

        var lifted = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync("/api/blocks?state=lifted"));
        Assert.Equal("support-desk", Assert.Single(lifted.GetProperty("items").EnumerateArray()).GetProperty("liftedBy").GetString());
    }
}
