using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Relayguard.Operations.Api;

/// <summary>Reads the JSON bodies of the operations API.</summary>
internal static class JsonBody
{
    /// <summary>
    /// Reads a JSON body. An empty body reads as an empty object, so the missing fields are named. Returns the
    /// problem to send instead when the body is not JSON.
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

        try
        {
            return (await request.ReadFromJsonAsync<T>(cancellationToken) ?? new T(), null);
        }
        catch (JsonException exception)
        {
            var errors = new ApiErrors();
            // A syntax error wraps the reader's own JsonException; a value of the wrong type does not.
            if (exception.InnerException is not JsonException && FieldOf<T>(exception.Path) is { } field)
            {
                errors.Add(field.Name, $"Invalid {field.Name}: the value has the wrong JSON type. Send {field.Expected}.");
            }
            else
            {
                errors.Add("body", $"The body is not a valid JSON object: {exception.Message}");
            }

            return (null, errors.ToResult());
        }
    }

    /// <summary>
    /// Returns the top-level field of <typeparamref name="T"/> that a JSON error path such as <c>$.kind</c> names, with
    /// the kind of value it takes, or null when the path names no such field (a syntax error, for example).
    /// </summary>
    private static (string Name, string Expected)? FieldOf<T>(string? path)
    {
        if (path is null || !path.StartsWith("$.", StringComparison.Ordinal) || path.AsSpan(2).IndexOfAny(".[") >= 0)
        {
            return null;
        }

        var name = path[2..];
        var property = typeof(T).GetProperties().FirstOrDefault(p => string.Equals(JsonNamingPolicy.CamelCase.ConvertName(p.Name), name, StringComparison.Ordinal));
        if (property is null)
        {
            return null;
        }

        return (name, ExpectedValue(Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType));
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
