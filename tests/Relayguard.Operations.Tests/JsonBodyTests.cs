using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Relayguard.Operations.Tests;

/// <summary>The JSON bodies of <c>POST /api/blocks</c>, <c>/api/allowlist</c> and <c>.../lift</c>: valid JSON of the wrong shape, or not JSON at all.</summary>
public sealed class JsonBodyTests
{
    public static TheoryData<string, string, string> WrongShapes()
    {
        var data = new TheoryData<string, string, string>();
        string[] bodies = ["[1,2]", "\"block mallory\"", "42", "true", "[]"];
        foreach (var body in bodies)
        {
            data.Add("/api/blocks", body, "kind, subject, code, reason, for and scope");
            data.Add("/api/allowlist", body, "kind, subject, code, reason and for");
            data.Add("/api/blocks/account/mallory/lift", body, "reason and code");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WrongShapes))]
    public async Task WrongShape_NamesFieldsOfEndpoint(string path, string body, string fields)
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.PostAsync(path, Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await OperationsHost.ReadJsonAsync(response);
        Assert.Equal("Invalid request", problem.GetProperty("title").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("body", out _), $"errors has no 'body': {problem}");
        var detail = problem.GetProperty("detail").GetString();
        Assert.Contains($"a JSON object with the fields {fields}", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("Relayguard.", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownField_NamedAndRefused()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.PostAsync("/api/blocks", Json("""{"kind":"account","subject":"zoe","reason":"x","scpoe":"null-sender"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await OperationsHost.ReadJsonAsync(response);
        var message = problem.GetProperty("errors").GetProperty("scpoe")[0].GetString();
        Assert.Equal("Unknown field 'scpoe': send only the fields kind, subject, code, reason, for and scope.", message);
    }

    [Theory]
    [InlineData("/api/blocks")]
    [InlineData("/api/allowlist")]
    [InlineData("/api/blocks/account/mallory/lift")]
    public async Task NotJson_NamesBodyWithoutTypeNames(string path)
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.PostAsync(path, Json("hello world"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await OperationsHost.ReadJsonAsync(response);
        Assert.Equal("Invalid request", problem.GetProperty("title").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("body", out _), $"errors has no 'body': {problem}");
        var detail = problem.GetProperty("detail").GetString();
        Assert.Contains("not valid JSON", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("Relayguard.", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"kind": 5, "subject": "mallory", "reason": "abuse"}""", "kind", "a string")]
    [InlineData("""{"Kind": 5, "subject": "mallory", "reason": "abuse"}""", "Kind", "a string")]
    [InlineData("""{"kind": "account", "subject": ["mallory"], "reason": "abuse"}""", "subject", "a string")]
    [InlineData("""{"kind": "account", "subject": "mallory", "reason": {"text": "abuse"}}""", "reason", "a string")]
    public async Task FieldOfWrongType_NamesFieldAsSent(string body, string field, string expected)
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.PostAsync("/api/blocks", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await OperationsHost.ReadJsonAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors has no '{field}': {problem}");
        var detail = problem.GetProperty("detail").GetString();
        Assert.Contains($"Send {expected}", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("{}")]
    public async Task NullOrEmptyObject_NamesMissingFields(string body)
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.PostAsync("/api/blocks", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await OperationsHost.ReadJsonAsync(response)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("kind", out _), $"errors has no 'kind': {errors}");
        Assert.True(errors.TryGetProperty("subject", out _), $"errors has no 'subject': {errors}");
        Assert.True(errors.TryGetProperty("reason", out _), $"errors has no 'reason': {errors}");
    }

    private static StringContent Json(string body) =>
        new(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
}
