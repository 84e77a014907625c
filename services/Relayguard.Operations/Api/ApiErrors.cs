using Microsoft.AspNetCore.Http;

namespace Relayguard.Operations.Api;

/// <summary>Collects invalid request fields, so one 400 response names every field to fix.</summary>
internal sealed class ApiErrors
{
    /// <summary>
    /// The maximum number of unknown fields or query parameters that one response names one by one, so that a
    /// request with hundreds of them gets a short response.
    /// </summary>
    public const int MaxUnknownNamed = 10;

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            messages = [];
            _errors[field] = messages;
        }

        messages.Add(message);
    }

    /// <summary>
    /// Adds <paramref name="message"/> under each of the first <see cref="MaxUnknownNamed"/> unknown names and, when
    /// there are more, one message under <paramref name="restField"/> that counts the others.
    /// </summary>
    public void AddUnknown(IReadOnlyList<string> names, Func<string, string> message, string restField, Func<int, string> restMessage)
    {
        foreach (var name in names.Take(MaxUnknownNamed))
        {
            Add(name, message(name));
        }

        if (names.Count > MaxUnknownNamed)
        {
            Add(restField, restMessage(names.Count - MaxUnknownNamed));
        }
    }

    /// <summary>An RFC 7807 validation problem: <c>errors</c> maps each field to its messages, and <c>detail</c> repeats them as text.</summary>
    public IResult ToResult()
    {
        var detail = string.Join(" ", _errors.SelectMany(field => field.Value.Select(message => $"{field.Key}: {message}")));
        return Results.ValidationProblem(
            _errors.ToDictionary(field => field.Key, field => field.Value.ToArray(), StringComparer.Ordinal),
            detail: detail,
            title: "Invalid request");
    }
}
