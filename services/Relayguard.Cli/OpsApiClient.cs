using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Relayguard.Cli;

/// <summary>
/// The CLI's client of the operations API. A 4xx response raises <see cref="ApiRefusedException"/> (exit code 1);
/// a failed connection, a timeout or a 5xx response raises <see cref="ApiUnreachableException"/> (exit code 3).
/// </summary>
public sealed class OpsApiClient : IDisposable
{
    public const string DefaultOpsUrl = "http://127.0.0.1:8025";
    public const string TokenVariable = "RELAYGUARD_OPS_TOKEN";
    public const string OpsUrlVariable = "RELAYGUARD_OPS_URL";

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;

    private OpsApiClient(Uri baseAddress, string token)
    {
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = RequestTimeout };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>
    /// Creates a client from <c>--ops-url</c>, else the <c>RELAYGUARD_OPS_URL</c> environment variable, else
    /// <see cref="DefaultOpsUrl"/>; and the token from
    /// <c>--token-file FILE</c>, or else from the <c>RELAYGUARD_OPS_TOKEN</c> environment variable.
    /// </summary>
    /// <exception cref="UsageException">The URL is invalid, or no token was given or the token file cannot be read.</exception>
    public static OpsApiClient Create(CommandLine command)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(OpsUrlVariable);
        var (url, source) = command.Option("ops-url") is { } fromOption
            ? (fromOption, "--ops-url")
            : string.IsNullOrWhiteSpace(fromEnvironment) ? (DefaultOpsUrl, "--ops-url") : (fromEnvironment.Trim(), OpsUrlVariable);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseAddress) || (baseAddress.Scheme != Uri.UriSchemeHttp && baseAddress.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"Invalid {source} '{url}': use an http or https URL such as {DefaultOpsUrl}.");
        }

        // Relative paths resolve below the base only when it ends with a slash, so a proxy prefix such as /relayguard/ is kept.
        if (!baseAddress.AbsolutePath.EndsWith('/'))
        {
            baseAddress = new Uri(baseAddress.AbsoluteUri + "/");
        }

        return new OpsApiClient(baseAddress, ReadToken(command));
    }

    public Task<JsonElement> GetAsync(string relativeUri, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, relativeUri, body: null, cancellationToken);

    /// <summary>Sends a request with an optional JSON body and returns the JSON response, or an empty object when the response has no body.</summary>
    public async Task<JsonElement> SendAsync(HttpMethod method, string relativeUri, object? body, CancellationToken cancellationToken) =>
        (await SendForStatusAsync(method, relativeUri, body, cancellationToken)).Json;

    /// <summary>Like <see cref="SendAsync"/>, and also returns the success status: 201 for a created resource, 200 for a replaced one.</summary>
    public async Task<(JsonElement Json, HttpStatusCode Status)> SendForStatusAsync(HttpMethod method, string relativeUri, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, relativeUri);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: JsonSerializerOptions.Web);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new ApiUnreachableException($"Could not connect to the operations API at {BaseAddress}: {TerminalText.Escape(exception.Message)}. Check --ops-url (or RELAYGUARD_OPS_URL) and that 'relayguard run' (or, in the distributed mode, the operations service) is running.", exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ApiUnreachableException($"The operations API at {BaseAddress} did not answer within {RequestTimeout.TotalSeconds:0} seconds.", exception);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var json = ParseJson(text);
            if (response.IsSuccessStatusCode)
            {
                return (json ?? JsonDocument.Parse("{}").RootElement, response.StatusCode);
            }

            // The detail may repeat what a client sent, and a server other than Relayguard may send anything.
            var detail = TerminalText.Escape(ProblemDetail(json, text, response.StatusCode));
            var reasonPhrase = TerminalText.Escape(response.ReasonPhrase ?? string.Empty);
            var status = (int)response.StatusCode;

            // The API's own detail names the header a curl user sends, but a CLI user sets the token in other places.
            if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized)
            {
                throw new ApiRefusedException(response.StatusCode, $"The operations API at {BaseAddress} did not accept the operator token (401). Check the token in RELAYGUARD_OPS_TOKEN or in the file given with --token-file; the first start of 'relayguard run', or of the operations service in the distributed mode, writes one to ops-token in its data folder.");
            }

            if (status is >= 400 and < 500)
            {
                throw new ApiRefusedException(response.StatusCode, $"The API refused the request ({status} {reasonPhrase}): {detail}");
            }

            throw new ApiUnreachableException($"The operations API failed ({status} {reasonPhrase}): {detail}");
        }
    }

    public void Dispose() => _http.Dispose();

    private static string ReadToken(CommandLine command)
    {
        var file = command.Option("token-file");
        string? token;
        if (file is not null)
        {
            if (Directory.Exists(file))
            {
                throw new UsageException($"The token file '{file}' is a directory: pass the file itself, for example --token-file data/ops-token.");
            }

            try
            {
                token = File.ReadAllText(file).Trim();
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"Could not read the token file '{file}': {exception.Message}");
            }

            if (token.Length == 0)
            {
                throw new UsageException($"The token file '{file}' is empty.");
            }

            return token;
        }

        token = Environment.GetEnvironmentVariable(TokenVariable)?.Trim();
        if (string.IsNullOrEmpty(token))
        {
            throw new UsageException(
                $"Missing operator token: set {TokenVariable} or pass --token-file FILE. The first start of 'relayguard run', or of the operations service in the distributed mode, writes one to ops-token in its data folder, and 'relayguard tokens add' makes more.");
        }

        return token;
    }

    private static JsonElement? ParseJson(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The <c>detail</c> of an RFC 7807 body, else its title, else the start of the body as text.</summary>
    private static string ProblemDetail(JsonElement? json, string text, HttpStatusCode status)
    {
        if (json is { ValueKind: JsonValueKind.Object } problem)
        {
            if (problem.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
            {
                return detail.GetString()!;
            }

            if (problem.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String)
            {
                return title.GetString()!;
            }
        }

        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return status == HttpStatusCode.NotFound
                ? "no such path; check that --ops-url points at the operations listener"
                : "the response has no body";
        }

        return trimmed.Length <= 200 ? trimmed : trimmed[..200] + "...";
    }
}
