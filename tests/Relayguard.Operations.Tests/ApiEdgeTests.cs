using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace Relayguard.Operations.Tests;

public sealed partial class ApiEdgeTests
{
    [Fact]
    public async Task Body_OverLimit_Returns413Problem()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("alice");
        using var content = new ByteArrayContent(new byte[40 * 1024 * 1024]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        // With 100-continue the client waits for the server's response before it sends the body, as curl does for a
        // large body, so the test reads the 413 instead of failing on the connection the server closes.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/blocks/account/alice/lift") { Content = content };
        request.Headers.ExpectContinue = true;

        using var response = await host.Operator.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await OperationsHost.ReadJsonAsync(response);
        Assert.Equal(413, problem.GetProperty("status").GetInt32());
        Assert.Contains("larger than the limit of 30000000 bytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongMethod_KnownPath_Returns405WithAllow()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.PutAsJsonAsync("/api/blocks/account/alice/lift", new { reason = "x" });

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["POST"], response.Content.Headers.Allow);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task WrongMethod_ListPath_AllowsGetAndPost()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.DeleteAsync("/api/blocks");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "POST"], response.Content.Headers.Allow.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task UnknownPath_Still404()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.PutAsJsonAsync("/api/nothing/here", new { reason = "x" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Times_AllHaveMilliseconds()
    {
        await using var host = await OperationsHost.StartAsync();

        // A clock reading with sub-millisecond digits, as a real clock has.
        host.Time.Advance(TimeSpan.FromTicks(1_234_567));
        await host.BlockAccountAsync("alice", blockedAt: host.Time.GetUtcNow(), expiresAt: host.Time.GetUtcNow().AddHours(1));
        host.Time.Advance(TimeSpan.FromTicks(7_654_321));
        using var lift = await host.Operator.PostAsJsonAsync("/api/blocks/account/alice/lift", new { reason = "checked" });
        var subjectJson = await host.Operator.GetStringAsync("/api/blocks/account/alice");
        var audit = await host.Operator.GetStringAsync("/api/audit");
        var lifted = await lift.Content.ReadAsStringAsync();

        var times = IsoTime().Matches(lifted + subjectJson + audit).Select(match => match.Value).ToList();
        Assert.NotEmpty(times);
        Assert.All(times, time => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", time));
        var liftedAt = (await OperationsHost.ReadJsonAsync(lift)).GetProperty("liftedAt").GetString();
        var blocks = (await OperationsHost.ReadJsonAsync(await host.Operator.GetAsync("/api/blocks/account/alice"))).GetProperty("blocks");
        Assert.Equal(liftedAt, blocks[0].GetProperty("liftedAt").GetString());
    }

    /// <summary>Any ISO 8601 time in a JSON string, with or without fractional digits and in any offset.</summary>
    [GeneratedRegex(@"(?<="")\d{4}-\d\d-\d\dT[^""]+(?="")")]
    private static partial Regex IsoTime();
}
