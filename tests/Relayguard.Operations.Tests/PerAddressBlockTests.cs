using System.Net;
using System.Net.Http.Json;
using Relayguard.Contracts;

namespace Relayguard.Operations.Tests;

/// <summary>Blocks of an account on one address (<c>erin/127.0.0.150</c>), shown and lifted by the account name.</summary>
public sealed class PerAddressBlockTests
{
    [Fact]
    public async Task Show_AccountName_IncludesPerAddressBlock()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("erin", AuthThrottled.Code, onIp: "127.0.0.150");

        using var response = await host.Operator.GetAsync("/api/blocks/account/erin");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await OperationsHost.ReadJsonAsync(response);
        Assert.True(body.GetProperty("active").GetBoolean());
        var block = Assert.Single(body.GetProperty("blocks").EnumerateArray());
        Assert.Equal("erin/127.0.0.150", block.GetProperty("subject").GetString());
        Assert.Equal("127.0.0.150", block.GetProperty("onIp").GetString());
    }

    [Fact]
    public async Task Lift_AccountName_LiftsPerAddressBlocks()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("erin", AuthThrottled.Code, onIp: "127.0.0.150");
        await host.BlockAccountAsync("erin", RuleCodes.Ca2, onIp: "100.64.0.7");
        await host.BlockAccountAsync("erin", RuleCodes.Ca1);

        using var response = await host.Operator.PostAsJsonAsync("/api/blocks/account/erin/lift", new { reason = "customer called" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await OperationsHost.ReadJsonAsync(response);
        var subjects = body.GetProperty("subjects").EnumerateArray().Select(subject => subject.GetString()).ToList();
        Assert.Equal(["erin", "erin/100.64.0.7", "erin/127.0.0.150"], subjects.Order(StringComparer.Ordinal));
        Assert.Equal(3, body.GetProperty("blocks").GetArrayLength());
        Assert.Equal(3, body.GetProperty("eventIds").GetArrayLength());
        var active = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync("/api/blocks"));
        Assert.Equal(0, active.GetProperty("items").GetArrayLength());
        var published = host.Harness.Published.Select<AccountUnblocked>().Select(message => message.Context.Message).ToList();
        Assert.Contains(published, message => message.Account == "erin" && message.OnIp == "127.0.0.150" && message.Codes.SequenceEqual([AuthThrottled.Code]));
        Assert.Contains(published, message => message.Account == "erin" && message.OnIp == "100.64.0.7");
        Assert.Contains(published, message => message.Account == "erin" && message.OnIp is null);
    }

    [Fact]
    public async Task Lift_AccountNameWithCode_LiftsOnlyThatCode()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("erin", AuthThrottled.Code, onIp: "127.0.0.150");
        await host.BlockAccountAsync("erin", RuleCodes.Ca2, onIp: "100.64.0.7");

        using var response = await host.Operator.PostAsJsonAsync("/api/blocks/account/erin/lift", new { reason = "customer called", code = "AUTH" });

        var body = await OperationsHost.ReadJsonAsync(response);
        Assert.Equal(["erin/127.0.0.150"], body.GetProperty("subjects").EnumerateArray().Select(subject => subject.GetString()));
        var active = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync("/api/blocks"));
        Assert.Equal("erin/100.64.0.7", Assert.Single(active.GetProperty("items").EnumerateArray()).GetProperty("subject").GetString());
    }

    [Fact]
    public async Task Lift_OneAddress_LeavesOthers()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("erin", AuthThrottled.Code, onIp: "127.0.0.150");
        await host.BlockAccountAsync("erin", AuthThrottled.Code, onIp: "127.0.0.151");

        using var response = await host.Operator.PostAsJsonAsync("/api/blocks/account/erin%2F127.0.0.150/lift", new { reason = "customer called" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var active = await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync("/api/blocks"));
        Assert.Equal("erin/127.0.0.151", Assert.Single(active.GetProperty("items").EnumerateArray()).GetProperty("subject").GetString());
    }
}
