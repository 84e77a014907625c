using System.Net;
using System.Net.Http.Json;
using Relayguard.Contracts;

namespace Relayguard.Operations.Tests;

public sealed class AllowlistTests
{
    [Fact]
    public async Task Add_Account_PublishesEntryAdded()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.PostAsJsonAsync("/api/allowlist", new { kind = "account", subject = "webshop", code = "CA1", reason = "order mails to old customers", @for = "7d" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await OperationsHost.ReadJsonAsync(response);
        Assert.Equal("CA1", body.GetProperty("code").GetString());
        Assert.Equal("active", body.GetProperty("state").GetString());
        Assert.Equal("admin", body.GetProperty("addedBy").GetString());
        Assert.True(await host.Harness.Published.Any<AllowlistEntryAdded>());
        var published = host.Harness.Published.Select<AllowlistEntryAdded>().Single().Context;
        Assert.Equal("webshop", published.Message.Subject);
        Assert.Equal("account", published.Message.Kind);
        Assert.Equal("CA1", published.Message.Code);
        Assert.Equal("admin", published.Message.Operator);
        Assert.Equal(OperationsHost.Start.AddDays(7), published.Message.ExpiresAt);
        Assert.Equal(published.Message.EventId, published.MessageId);
    }

    [Fact]
    public async Task Add_Range_CoversEveryRule()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.PostAsJsonAsync("/api/allowlist", new { kind = "ip", subject = "192.0.2.0/24", reason = "provider webmail" });

        var body = await OperationsHost.ReadJsonAsync(response);
        Assert.Equal("192.0.2.0/24", body.GetProperty("subject").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, body.GetProperty("code").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, body.GetProperty("expiresAt").ValueKind);
    }

    [Theory]
    [InlineData("127.0.0.5/24", "127.0.0.0/24")]
    [InlineData("2001:db8::1/48", "2001:db8::/48")]
    public async Task Add_RangeWithHostBits_Returns400NamingNetwork(string subject, string network)
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.PostAsJsonAsync("/api/allowlist", new { kind = "ip", subject, reason = "provider webmail" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = (await OperationsHost.ReadJsonAsync(response)).GetProperty("errors").GetProperty("subject")[0].GetString();
        Assert.Contains($"'{subject}' has host bits set", message, StringComparison.Ordinal);
        Assert.Contains($"Use its network address, {network},", message, StringComparison.Ordinal);
        Assert.False(await host.Harness.Published.Any<AllowlistEntryAdded>());
    }

    [Fact]
    public async Task Add_Again_ReplacesEntry()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.Operator.PostAsJsonAsync("/api/allowlist", new { kind = "account", subject = "webshop", code = "CA1", reason = "first" });

        using var second = await host.Operator.PostAsJsonAsync("/api/allowlist", new { kind = "account", subject = "webshop", code = "CA1", reason = "second" });

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var list = await OperationsHost.ReadJsonAsync(await host.Reader.GetAsync("/api/allowlist"));
        var item = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal("second", item.GetProperty("reason").GetString());
        var history = await OperationsHost.ReadJsonAsync(await host.Reader.GetAsync("/api/allowlist?state=all"));
        Assert.Equal(2, history.GetProperty("items").GetArrayLength());
    }

    [Theory]
    [InlineData("account", "alice/100.64.0.7", "CA1", "subject")]
    [InlineData("ip", "not-an-address", "CA1", "subject")]
    [InlineData("ip", "192.0.2.0/33", "CA1", "subject")]
    [InlineData("host", "192.0.2.1", "CA1", "kind")]
    [InlineData("ip", "192.0.2.1", "OP1", "code")]
    [InlineData("ip", "192.0.2.1", "XX9", "code")]
    public async Task Add_Invalid_NamesField(string kind, string subject, string code, string field)
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.PostAsJsonAsync("/api/allowlist", new { kind, subject, code, reason = "test" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await OperationsHost.ReadJsonAsync(response);
        Assert.True(body.GetProperty("errors").TryGetProperty(field, out _), body.ToString());
    }

    [Fact]
    public async Task Add_MissingReason_NamesField()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.PostAsJsonAsync("/api/allowlist", new { kind = "ip", subject = "192.0.2.1" });

        var body = await OperationsHost.ReadJsonAsync(response);
        Assert.True(body.GetProperty("errors").TryGetProperty("reason", out _));
    }

    [Fact]
    public async Task Add_ReadToken_Forbidden()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Reader.PostAsJsonAsync("/api/allowlist", new { kind = "ip", subject = "192.0.2.1", reason = "test" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task List_WithoutToken_Unauthorized()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Anonymous.GetAsync("/api/allowlist");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Expired_LeavesActiveList()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.Operator.PostAsJsonAsync("/api/allowlist", new { kind = "ip", subject = "192.0.2.1", reason = "migration", @for = "1h" });

        host.Time.Advance(TimeSpan.FromHours(1));

        var list = await OperationsHost.ReadJsonAsync(await host.Reader.GetAsync("/api/allowlist"));
        Assert.Equal(0, list.GetProperty("items").GetArrayLength());
        var history = await OperationsHost.ReadJsonAsync(await host.Reader.GetAsync("/api/allowlist?state=all"));
        Assert.Equal("expired", Assert.Single(history.GetProperty("items").EnumerateArray()).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Remove_EveryCode_PublishesOneEventEach()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.Operator.PostAsJsonAsync("/api/allowlist", new { kind = "ip", subject = "2001:db8::/48", code = "CA2", reason = "test" });
        await host.Operator.PostAsJsonAsync("/api/allowlist", new { kind = "ip", subject = "2001:db8::/48", reason = "test" });

        using var response = await host.Operator.DeleteAsync("/api/allowlist/ip/2001%3Adb8%3A%3A%2F48");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await OperationsHost.ReadJsonAsync(response);
        Assert.Equal(2, body.GetProperty("removed").GetArrayLength());
        Assert.True(await host.Harness.Published.Any<AllowlistEntryRemoved>());
        var codes = host.Harness.Published.Select<AllowlistEntryRemoved>().Select(message => message.Context.Message.Code).Order().ToList();
        Assert.Equal([null, "CA2"], codes);
        var list = await OperationsHost.ReadJsonAsync(await host.Reader.GetAsync("/api/allowlist"));
        Assert.Equal(0, list.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Remove_NamedCode_KeepsOthers()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.Operator.PostAsJsonAsync("/api/allowlist", new { kind = "account", subject = "webshop", code = "CA1", reason = "test" });
        await host.Operator.PostAsJsonAsync("/api/allowlist", new { kind = "account", subject = "webshop", reason = "test" });

        using var response = await host.Operator.DeleteAsync("/api/allowlist/account/webshop?code=all");

        var body = await OperationsHost.ReadJsonAsync(response);
        var removed = Assert.Single(body.GetProperty("removed").EnumerateArray());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, removed.GetProperty("code").ValueKind);
        var list = await OperationsHost.ReadJsonAsync(await host.Reader.GetAsync("/api/allowlist"));
        Assert.Equal("CA1", Assert.Single(list.GetProperty("items").EnumerateArray()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Remove_None_NotFound()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.DeleteAsync("/api/allowlist/account/nobody");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.False(await host.Harness.Published.Any<AllowlistEntryRemoved>());
    }

    [Fact]
    public async Task Changes_AreAudited()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.Operator.PostAsJsonAsync("/api/allowlist", new { kind = "account", subject = "webshop", code = "CA1", reason = "order mails" });
        await host.Operator.DeleteAsync("/api/allowlist/account/webshop");

        var page = await OperationsHost.ReadJsonAsync(await host.Reader.GetAsync("/api/audit?kind=account&subject=webshop"));

        var entries = page.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal("allow-remove", entries[0].GetProperty("action").GetString());
        Assert.Equal("allow-add", entries[1].GetProperty("action").GetString());
        Assert.Equal("order mails", entries[1].GetProperty("reason").GetString());
        Assert.Equal("admin", entries[1].GetProperty("actor").GetString());
        Assert.Equal("CA1", entries[1].GetProperty("code").GetString());
    }
}
