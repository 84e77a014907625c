using System.Net;
using System.Net.Http.Json;
using Relayguard.Contracts;

namespace Relayguard.Operations.Tests;

public sealed class SubjectTests
{
    [Fact]
    public async Task Show_Block_ReturnsEvidence()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("alice");

        using var response = await host.Reader.GetAsync("/api/blocks/account/alice");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await OperationsHost.ReadJsonAsync(response);
        Assert.True(body.GetProperty("active").GetBoolean());
        var evidence = Assert.Single(body.GetProperty("blocks").EnumerateArray()).GetProperty("evidence");
        Assert.Equal(2, evidence.GetProperty("samples").GetArrayLength());
        Assert.Equal(27, evidence.GetProperty("counts").GetProperty("invalidRecipients").GetDouble());
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", evidence.GetProperty("traceId").GetString());
    }

    [Fact]
    public async Task Show_NoBlock_Returns404Problem()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.GetAsync("/api/blocks/account/nobody");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task IpPrefix_PercentEncoded_ShowAndLift()
    {
        await using var host = await OperationsHost.StartAsync();
        var blocked = Events.IpBlocked("2001:db8::/64", host.Time.GetUtcNow(), host.Time.GetUtcNow().AddHours(24));
        await host.PublishAsync(blocked, blocked.EventId);

        using var show = await host.Operator.GetAsync("/api/blocks/ip/2001%3Adb8%3A%3A%2F64");
        using var lift = await host.Operator.PostAsJsonAsync("/api/blocks/ip/2001%3Adb8%3A%3A%2F64/lift", new { reason = "customer cleaned the host" });

        Assert.Equal(HttpStatusCode.OK, show.StatusCode);
        Assert.Equal("2001:db8::/64", (await OperationsHost.ReadJsonAsync(show)).GetProperty("subject").GetString());
        Assert.Equal(HttpStatusCode.OK, lift.StatusCode);
        var published = host.Harness.Published.Select<IpUnblocked>().Single().Context.Message;
        Assert.Equal("2001:db8::/64", published.Ip);
        Assert.Equal(["CA2"], published.Codes);
    }

    [Fact]
    public async Task IpAddressInPrefix_FindsPrefixBlock()
    {
        await using var host = await OperationsHost.StartAsync();
        var blocked = Events.IpBlocked("2001:db8::/64", host.Time.GetUtcNow());
        await host.PublishAsync(blocked, blocked.EventId);

        using var response = await host.Operator.GetAsync("/api/blocks/ip/2001%3Adb8%3A%3A17");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task MappedIpv4_NormalisedToIpv4()
    {
        await using var host = await OperationsHost.StartAsync();
        var blocked = Events.IpBlocked("203.0.113.5", host.Time.GetUtcNow());
        await host.PublishAsync(blocked, blocked.EventId);

        using var response = await host.Operator.GetAsync("/api/blocks/ip/%3A%3Affff%3A203.0.113.5");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("203.0.113.5", (await OperationsHost.ReadJsonAsync(response)).GetProperty("subject").GetString());
    }

    [Fact]
    public async Task AccountOnIp_LiftPublishesOnIp()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("alice", RuleCodes.Ca2, onIp: "100.64.0.7");

        using var response = await host.Operator.PostAsJsonAsync("/api/blocks/account/alice%2F100.64.0.7/lift", new { reason = "shared address, false alarm" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var published = host.Harness.Published.Select<AccountUnblocked>().Single().Context.Message;
        Assert.Equal("alice", published.Account);
        Assert.Equal("100.64.0.7", published.OnIp);
    }

    [Fact]
    public async Task UnencodedSlash_Returns404Hint()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.GetAsync("/api/blocks/account/alice/100.64.0.7");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await OperationsHost.ReadJsonAsync(response);
        Assert.Contains("%2F", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
