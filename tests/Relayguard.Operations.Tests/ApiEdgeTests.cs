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

    [Theory]
    [InlineData("list", HttpStatusCode.OK)]
    [InlineData("block", HttpStatusCode.Created)]
    [InlineData("unknown-query", HttpStatusCode.BadRequest)]
    [InlineData("no-token", HttpStatusCode.Unauthorized)]
    [InlineData("read-token-lift", HttpStatusCode.Forbidden)]
    [InlineData("unknown-subject", HttpStatusCode.NotFound)]
    [InlineData("unknown-path", HttpStatusCode.NotFound)]
    [InlineData("wrong-method", HttpStatusCode.MethodNotAllowed)]
    [InlineData("too-large", HttpStatusCode.RequestEntityTooLarge)]
    [InlineData("not-json", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("upper-case-path", HttpStatusCode.OK)]
    public async Task ApiResponse_NoStoreAndNosniff(string request, HttpStatusCode status)
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("alice");

        using var response = await SendAsync(host, request);

        Assert.Equal(status, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, $"Cache-Control is '{response.Headers.CacheControl}'");
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
    }

    [Fact]
    public async Task ConsolePage_KeepsItsOwnCacheControl()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Anonymous.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task UnknownQueryParameters_Many_ListsFirstTen()
    {
        await using var host = await OperationsHost.StartAsync();
        var query = string.Join('&', Enumerable.Range(1, 700).Select(i => $"p{i}=x"));

        using var response = await host.Operator.GetAsync("/api/blocks?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(text.Length < 4096, $"The response has {text.Length} characters.");
        var problem = System.Text.Json.JsonDocument.Parse(text).RootElement;
        var errors = problem.GetProperty("errors").EnumerateObject().Select(field => field.Name).ToList();
        Assert.Equal([.. Enumerable.Range(1, 10).Select(i => $"p{i}"), "query"], errors);
        var more = Assert.Single(problem.GetProperty("errors").GetProperty("query").EnumerateArray()).GetString();
        Assert.StartsWith("690 more unknown query parameters are not listed:", more, StringComparison.Ordinal);
        Assert.EndsWith("query: 690 more unknown query parameters are not listed: use only kind, code, subject, state, limit, after.", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownQueryParameters_Ten_AllListed()
    {
        await using var host = await OperationsHost.StartAsync();
        var query = string.Join('&', Enumerable.Range(1, 10).Select(i => $"p{i}=x"));

        using var response = await host.Operator.GetAsync("/api/blocks?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await OperationsHost.ReadJsonAsync(response);
        var errors = problem.GetProperty("errors").EnumerateObject().Select(field => field.Name).ToList();
        Assert.Equal([.. Enumerable.Range(1, 10).Select(i => $"p{i}")], errors);
        Assert.DoesNotContain("more", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> SendAsync(OperationsHost host, string request)
    {
        switch (request)
        {
            case "list":
                return await host.Operator.GetAsync("/api/blocks");
            case "block":
                return await host.Operator.PostAsJsonAsync("/api/blocks", new { kind = "account", subject = "trudy", reason = "abuse" });
            case "unknown-query":
                return await host.Operator.GetAsync("/api/blocks?subjet=alice");
            case "no-token":
                return await host.Anonymous.GetAsync("/api/blocks");
            case "read-token-lift":
                return await host.Reader.PostAsJsonAsync("/api/blocks/account/alice/lift", new { reason = "checked" });
            case "unknown-subject":
                return await host.Operator.GetAsync("/api/blocks/account/nobody");
            case "unknown-path":
                return await host.Operator.GetAsync("/api/nothing/here");
            case "wrong-method":
                return await host.Operator.DeleteAsync("/api/blocks");
            case "too-large":
                {
                    using var content = new ByteArrayContent(new byte[40 * 1024 * 1024]);
                    content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                    using var message = new HttpRequestMessage(HttpMethod.Post, "/api/blocks/account/alice/lift") { Content = content };
                    message.Headers.ExpectContinue = true;
                    return await host.Operator.SendAsync(message);
                }

            case "not-json":
                return await host.Operator.PostAsync("/api/blocks/account/alice/lift", new StringContent("reason=checked"));
            case "upper-case-path":
                return await host.Operator.GetAsync("/API/blocks");
            default:
                throw new ArgumentOutOfRangeException(nameof(request), request, "Unknown request name.");
        }
    }

    /// <summary>Any ISO 8601 time in a JSON string, with or without fractional digits and in any offset.</summary>
    [GeneratedRegex(@"(?<="")\d{4}-\d\d-\d\dT[^""]+(?="")")]
    private static partial Regex IsoTime();
}
