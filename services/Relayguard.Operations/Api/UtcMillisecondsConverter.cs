using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Relayguard.Operations.Api;

/// <summary>
/// Writes every time of the API in one form, ISO 8601 in UTC with milliseconds (<c>2026-12-05T13:43:07.123Z</c>).
/// The stores keep milliseconds, but times taken from the clock or from an event carry up to 7 fractional digits,
/// so without this converter one event could show both forms. Reads any ISO 8601 time.
/// </summary>
internal sealed class UtcMillisecondsConverter : JsonConverter<DateTimeOffset>
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>The web defaults with this converter, for JSON that the API returns as it is stored, such as the details of audit entries.</summary>
    public static readonly JsonSerializerOptions WebOptions = new(JsonSerializerOptions.Web) { Converters = { new UtcMillisecondsConverter() } };

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
    }
}
