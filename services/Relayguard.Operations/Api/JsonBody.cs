using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Relayguard.Operations.Api;

/// <summary>Reads the JSON bodies of the operations API.</summary>
internal static class JsonBody
{
    /// <summary>
    /// Reads a JSON object into <typeparamref name="T"/>. An empty body or JSON <c>null</c> reads as an empty object,
    /// so the missing fields are named. Returns the problem to send instead when the body is not UTF-8 or not JSON,
    /// is not an object, or has a field of the wrong JSON type. The problem names the fields of <typeparamref name="T"/> as the client
    /// writes them and never a .NET type.
    /// </summary>
    public static async Task<(T? Body, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class, new()
    {
        if (request.ContentLength == 0)
        {
            return (new T(), null);
        }

        if (!request.HasJsonContentType())
        {
            return (null, Results.Problem(
                detail: $"The body has Content-Type '{request.ContentType}'. Send a JSON object with 'Content-Type: application/json'.",
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type"));
        }

        // The options that minimal APIs bind with, so field names and case rules match the rest of the API.
        var options = request.HttpContext.RequestServices.GetService<IOptions<JsonOptions>>()?.Value.SerializerOptions ?? JsonSerializerOptions.Web;
        var typeInfo = options.GetTypeInfo(typeof(T));
        var fields = FieldList(typeInfo);

        var (utf8, encodingProblem) = await JsonBodyEncoding.ReadUtf8Async(request, cancellationToken);
        if (encodingProblem is not null)
        {
            return (null, encodingProblem);
        }

        // Reading a JsonElement first separates a syntax error from a value of the wrong shape. Only the syntax
        // error's message is passed on, because a conversion error's message names the .NET type.
        JsonElement root;
        try
        {
            root = JsonSerializer.Deserialize<JsonElement>(utf8.Span, options);
        }
        catch (JsonException exception)
        {
            return (null, BodyProblem($"The body is not valid JSON: {exception.Message} Send a JSON object with the fields {fields}."));
        }

        if (JsonBodyEncoding.FindUnpairedSurrogate(root) is { } surrogateProblem)
        {
            return (null, BodyProblem(surrogateProblem));
        }

        if (root.ValueKind == JsonValueKind.Null)
        {
            return (new T(), null);
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, BodyProblem($"The body is {JsonKindName(root.ValueKind)}, but it must be a JSON object with the fields {fields}."));
        }

        // The deserializer skips a field it does not know, so a misspelt optional field ('scpoe') would be dropped
        // without a word and its default used.
        var known = typeInfo.Properties.Select(p => p.Name).ToHashSet(options.PropertyNameCaseInsensitive ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        var unknown = root.EnumerateObject().Select(p => p.Name).Where(name => !known.Contains(name)).ToList();
        if (unknown.Count > 0)
        {
            var errors = new ApiErrors();
            errors.AddUnknown(
                unknown,
                name => $"Unknown field '{name}': send only the fields {fields}.",
                "body",
                count => $"{count} more unknown fields are not listed: send only the fields {fields}.");
            return (null, errors.ToResult());
        }

        try
        {
            return ((T?)root.Deserialize(typeInfo) ?? new T(), null);
        }
        catch (JsonException exception)
        {
            if (FieldOf(typeInfo, exception.Path, options.PropertyNameCaseInsensitive) is not { } field)
            {
                return (null, BodyProblem($"The body must be a JSON object with the fields {fields}, each with a value of the documented JSON type."));
            }

            var errors = new ApiErrors();
            errors.Add(field.Name, $"Invalid {field.Name}: the value has the wrong JSON type. Send {field.Expected}.");
            return (null, errors.ToResult());
        }
    }

    /// <summary>A 400 problem with <paramref name="message"/> under the field <c>body</c>.</summary>
    internal static IResult BodyProblem(string message)
    {
        var errors = new ApiErrors();
        errors.Add("body", message);
        return errors.ToResult();
    }

    /// <summary>Lists the JSON names of the fields, such as "kind, subject and reason".</summary>
    private static string FieldList(JsonTypeInfo typeInfo)
    {
        var names = typeInfo.Properties.Select(property => property.Name).ToList();
        return names.Count <= 1
            ? string.Concat(names)
            : $"{string.Join(", ", names.Take(names.Count - 1))} and {names[^1]}";
    }

    private static string JsonKindName(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "a JSON array",
        JsonValueKind.String => "a JSON string",
        JsonValueKind.Number => "a JSON number",
        JsonValueKind.True or JsonValueKind.False => "a JSON boolean",
        _ => "not a JSON object",
    };

    /// <summary>
    /// Returns the top-level field that a JSON error path such as <c>$.kind</c>, <c>$.kind[0]</c> or <c>$['kind']</c>
    /// names, spelled as the client sent it, with the kind of value it takes. Returns null when the path names no
    /// field of the type.
    /// </summary>
    private static (string Name, string Expected)? FieldOf(JsonTypeInfo typeInfo, string? path, bool caseInsensitive)
    {
        var name = TopLevelName(path);
        if (name is null)
        {
            return null;
        }

        var comparison = caseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var property = typeInfo.Properties.FirstOrDefault(p => string.Equals(p.Name, name, comparison));
        if (property is null)
        {
            return null;
        }

        return (name, ExpectedValue(Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType));
    }

    private static string? TopLevelName(string? path)
    {
        if (path is null)
        {
            return null;
        }

        if (path.StartsWith("$['", StringComparison.Ordinal))
        {
            var close = path.IndexOf("']", 3, StringComparison.Ordinal);
            return close < 0 ? null : path[3..close];
        }

        if (!path.StartsWith("$.", StringComparison.Ordinal))
        {
            return null;
        }

        var end = path.AsSpan(2).IndexOfAny(".[");
        return end < 0 ? path[2..] : path.Substring(2, end);
    }

    private static string ExpectedValue(Type type)
    {
        if (type == typeof(string))
        {
            return "a string";
        }

        if (type == typeof(bool))
        {
            return "true or false";
        }

        if (type.IsPrimitive || type == typeof(decimal))
        {
            return "a number";
        }

        return typeof(System.Collections.IEnumerable).IsAssignableFrom(type) ? "a list" : "an object";
    }
}
