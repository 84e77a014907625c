using System.Globalization;
using System.Text.Json;

namespace Relayguard.Cli;

/// <summary>
/// Reads fields of API responses for printing, turning missing and null fields into empty text. Text from a field
/// goes through <see cref="TerminalText.Escape"/>, because the API passes on what bounces and operators wrote.
/// </summary>
internal static class JsonFields
{
    public static string Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? TerminalText.Escape(Format(value)) : string.Empty;

    /// <summary>Formats an ISO 8601 time field as <c>yyyy-MM-dd HH:mm UTC</c>, or returns <paramref name="missing"/> when it is null.</summary>
    public static string Time(JsonElement element, string name, string missing = "")
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return missing;
        }

        return value.TryGetDateTimeOffset(out var time) ? Time(time) : TerminalText.Escape(value.GetString()!);
    }

    public static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static IEnumerable<JsonElement> Items(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var items) && items.ValueKind == JsonValueKind.Array
            ? items.EnumerateArray()
            : [];

    private static string Format(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null or JsonValueKind.Undefined => string.Empty,
        JsonValueKind.Number => value.TryGetInt64(out var whole)
            ? whole.ToString(CultureInfo.InvariantCulture)
            : value.GetDouble().ToString("0.###", CultureInfo.InvariantCulture),
        JsonValueKind.Array => string.Join(", ", value.EnumerateArray().Select(Format)),
        _ => value.GetRawText(),
    };
}
