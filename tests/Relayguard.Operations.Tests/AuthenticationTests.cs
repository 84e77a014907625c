using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Relayguard.Operations.Tests;

public sealed class AuthenticationTests
{
    [Fact]
    public async Task Api_NoToken_Returns401Problem()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Anonymous.GetAsync("/api/blocks");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        var problem = await OperationsHost.ReadJsonAsync(response);
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Contains("Authorization", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_WrongToken_Returns401()
    {
        await using var host = await OperationsHost.StartAsync();
        using var client = new HttpClient { BaseAddress = host.Anonymous.BaseAddress };
        var wrong = host.OperateToken[..^4] + (host.OperateToken.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", wrong);

        using var response = await client.GetAsync("/api/blocks");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Api_UnknownPathWithoutToken_Returns401()
    {
        await using var host = await OperationsHost.StartAsync();

        using var anonymous = await host.Anonymous.GetAsync("/api/no-such-thing");
        using var authenticated = await host.Operator.GetAsync("/api/no-such-thing");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, authenticated.StatusCode);
        Assert.Equal("application/problem+json", authenticated.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Lift_ReadToken_Returns403()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("alice");

        using var response = await host.Reader.PostAsJsonAsync("/api/blocks/account/alice/lift", new { reason = "customer changed password" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var blocks = await OperationsHost.ReadJsonAsync(await host.Reader.GetAsync("/api/blocks"));
        Assert.Equal(1, blocks.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Blocks_ReadToken_CanList()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Reader.GetAsync("/api/blocks");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
