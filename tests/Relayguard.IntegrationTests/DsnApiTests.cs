using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Relayguard.IntegrationTests.Infrastructure;

namespace Relayguard.IntegrationTests;

/// <summary><c>POST /api/dsn</c> rejects a body it cannot read with the same problem shape as the other operations endpoints.</summary>
public sealed class DsnApiTests
{
    [Fact]
    public async Task EmptyBody_Gets400InvalidRequest()
    {
        await using var relayguard = await RelayguardInstance.StartAsync([]);
        using var ops = relayguard.OpsClient();

        using var response = await ops.PostAsync("/api/dsn", new ByteArrayContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Invalid request", problem.GetProperty("title").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("body", out _), $"errors has no 'body': {problem}");
        var detail = problem.GetProperty("detail").GetString();
        Assert.StartsWith("body: The body is empty.", detail, StringComparison.Ordinal);
        Assert.Contains("message/rfc822", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotAMessage_Gets400SayingWhatToSend()
    {
        await using var relayguard = await RelayguardInstance.StartAsync([]);
        using var ops = relayguard.OpsClient();

        using var response = await ops.PostAsync("/api/dsn", new StringContent("hello world", new MediaTypeHeaderValue("message/rfc822")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Invalid request", problem.GetProperty("title").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("body", out _), $"errors has no 'body': {problem}");
        var detail = problem.GetProperty("detail").GetString();
        Assert.Contains("RFC 5322 message", detail, StringComparison.Ordinal);
        Assert.Contains("message/rfc822", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HeaderLikeText_Gets400NamingTheMissingHeaders()
    {
        await using var relayguard = await RelayguardInstance.StartAsync([]);
        using var ops = relayguard.OpsClient();

        using var response = await ops.PostAsync("/api/dsn", new StringContent("Note: check the bounce from yesterday\r\n\r\nIt said user unknown.\r\n", new MediaTypeHeaderValue("message/rfc822")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.StartsWith("body: The body has neither a From nor a Date header", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HugeBody_Gets413Problem()
    {
        await using var relayguard = await RelayguardInstance.StartAsync([]);
        using var ops = relayguard.OpsClient();

        // With 100-continue the client sends the body only after the server's answer, so it reads the 413 instead of
        // failing on the connection the server closes.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/dsn") { Content = new ByteArrayContent(new byte[40 * 1024 * 1024]) };
        request.Headers.ExpectContinue = true;
        using var response = await ops.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("The body is larger than the limit of ", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_Gets405WithAllow()
    {
        await using var relayguard = await RelayguardInstance.StartAsync([]);
        using var ops = relayguard.OpsClient();

        using var response = await ops.GetAsync("/api/dsn");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("POST", response.Content.Headers.Allow);
    }
}
