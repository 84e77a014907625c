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

    public static TheoryData<string, byte[]> InvalidUtf8()
    {
        var data = new TheoryData<string, byte[]>();
        (string Before, byte[] Bytes, string After)[] bodies =
        [
            // A lone continuation byte, a truncated two-byte sequence, an overlong '/' and a surrogate encoded in UTF-8.
            ("""{"kind":"account","subject":"zoe","reason":"abuse """, [0x80], "\"}"),
            ("""{"kind":"account","subject":"zoe","reason":"M""", [0xC3], "ller\"}"),
            ("""{"kind":"account","subject":"zoe","reason":"a""", [0xC0, 0xAF], "\"}"),
            ("""{"kind":"account","subject":"zoe","reason":"a""", [0xED, 0xA0, 0x80], "\"}"),
            ("""{"kind":"account","subject":"zoe","reason":"abuse","sc""", [0xFF], "pe\":\"all\"}"),
            ("""{"kind":"account","subject":"zoe","reason":"abuse"}""", [0xFE], ""),
        ];
        foreach (var (before, bytes, after) in bodies)
        {
            byte[] body = [.. Encoding.UTF8.GetBytes(before), .. bytes, .. Encoding.UTF8.GetBytes(after)];
            data.Add("/api/blocks", body);
            data.Add("/api/allowlist", body);
        }

        data.Add("/api/blocks/account/mallory/lift", [.. Encoding.UTF8.GetBytes("""{"reason":"abuse """), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}")]);
        return data;
    }

    [Theory]
    [MemberData(nameof(InvalidUtf8))]
    public async Task InvalidUtf8_Returns400NamingEncoding(string path, byte[] body)
    {
        await using var host = await OperationsHost.StartAsync();
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await host.Operator.PostAsync(path, content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await OperationsHost.ReadJsonAsync(response);
        Assert.Equal("Invalid request", problem.GetProperty("title").GetString());
        var message = Assert.Single(problem.GetProperty("errors").GetProperty("body").EnumerateArray()).GetString();
        Assert.StartsWith("The body is not valid UTF-8:", message, StringComparison.Ordinal);
        Assert.Contains("Send the JSON encoded as UTF-8", message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong JSON type", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoneSurrogateEscape_Returns400NamingIt()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.PostAsync("/api/blocks", Json("""{"kind":"account","subject":"zoe","reason":"abuse \ud800"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await OperationsHost.ReadJsonAsync(response);
        var message = Assert.Single(problem.GetProperty("errors").GetProperty("body").EnumerateArray()).GetString();
        Assert.StartsWith("The body is not valid Unicode:", message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong JSON type", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Utf8Text_Accepted()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.PostAsync("/api/blocks", Json("""{"kind":"account","subject":"zoe","reason":"Müller 苦情 \ud83d\udce7 📧"}"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var block = await OperationsHost.ReadJsonAsync(response);
        Assert.Equal("Müller 苦情 📧 📧", block.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task ByteOrderMark_Accepted()
    {
        await using var host = await OperationsHost.StartAsync();
        using var content = new ByteArrayContent([.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes("""{"kind":"account","subject":"zoe","reason":"abuse"}""")]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await host.Operator.PostAsync("/api/blocks", content);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Utf16Charset_Transcoded()
    {
        await using var host = await OperationsHost.StartAsync();
        using var content = new ByteArrayContent(Encoding.Unicode.GetBytes("""{"kind":"account","subject":"zoe","reason":"Müller 苦情"}"""));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-16" };

        using var response = await host.Operator.PostAsync("/api/blocks", content);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var block = await OperationsHost.ReadJsonAsync(response);
        Assert.Equal("Müller 苦情", block.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task UnknownCharset_Returns415NamingIt()
    {
        await using var host = await OperationsHost.StartAsync();
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"kind":"account","subject":"zoe","reason":"abuse"}"""));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "klingon-8" };

        using var response = await host.Operator.PostAsync("/api/blocks", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var problem = await OperationsHost.ReadJsonAsync(response);
        Assert.StartsWith("The Content-Type names the charset 'klingon-8'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownFields_Many_ListsFirstTen()
    {
        await using var host = await OperationsHost.StartAsync();
        var fields = string.Join(',', Enumerable.Range(1, 5000).Select(i => $"\"f{i}\":0"));

        using var response = await host.Operator.PostAsync("/api/blocks", Json($$"""{"kind":"account","subject":"zoe","reason":"x",{{fields}}}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(text.Length < 4096, $"The response has {text.Length} characters.");
        var problem = System.Text.Json.JsonDocument.Parse(text).RootElement;
        var errors = problem.GetProperty("errors").EnumerateObject().Select(field => field.Name).ToList();
        Assert.Equal([.. Enumerable.Range(1, 10).Select(i => $"f{i}"), "body"], errors);
        var more = Assert.Single(problem.GetProperty("errors").GetProperty("body").EnumerateArray()).GetString();
        Assert.StartsWith("4990 more unknown fields are not listed:", more, StringComparison.Ordinal);
    }

    private static StringContent Json(string body) =>
        new(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
}
