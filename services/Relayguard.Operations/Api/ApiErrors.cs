using Microsoft.AspNetCore.Http;

namespace Relayguard.Operations.Api;

/// <summary>Collects invalid request fields, so one 400 response names every field to fix.</summary>
internal sealed class ApiErrors
{
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
