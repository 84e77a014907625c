using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Relayguard.Operations.Api;

/// <summary>
/// Checks the text encoding of a JSON request body. The JSON reader of System.Text.Json accepts invalid UTF-8 and
/// escapes of half a surrogate pair inside strings. Only reading such a string fails, and the deserializer reports
/// that as a value of the wrong JSON type.
/// </summary>
internal static class JsonBodyEncoding
{
    /// <summary>
    /// Reads the whole body and returns it as UTF-8 without a byte order mark. A body whose Content-Type names another
    /// charset is transcoded from it, as <c>ReadFromJsonAsync</c> does. Returns the problem to send instead when the
    /// body is not valid UTF-8 (400), or the charset is unknown (415).
    /// </summary>
    public static async Task<(ReadOnlyMemory<byte> Utf8, IResult? Problem)> ReadUtf8Async(HttpRequest request, CancellationToken cancellationToken)
    {
        // Kestrel stops the copy with a 413 once the body passes its size limit.
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);

        var charset = request.GetTypedHeaders().ContentType?.Charset.Value;
        Encoding encoding;
        try
        {
            encoding = string.IsNullOrEmpty(charset) ? Encoding.UTF8 : Encoding.GetEncoding(charset.Trim('"'));
        }
        catch (ArgumentException)
        {
            return (default, Results.Problem(
                detail: $"The Content-Type names the charset '{charset}', which this server does not know. Send the JSON encoded as UTF-8, with 'Content-Type: application/json'.",
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type"));
        }

        if (encoding.CodePage != Encoding.UTF8.CodePage)
        {
            body = Encoding.UTF8.GetBytes(encoding.GetString(body.Span));
        }
        else if (FindInvalidUtf8(body.Span) is { } invalid)
        {
            return (default, JsonBody.BodyProblem($"The body is not valid UTF-8: the bytes {invalid.Bytes} at offset {invalid.Offset} are not a UTF-8 sequence. Send the JSON encoded as UTF-8."));
        }

        // The JSON reader does not skip a byte order mark, which the stream reader of ReadFromJsonAsync did.
        return (body.Span.StartsWith(Encoding.UTF8.Preamble) ? body[Encoding.UTF8.Preamble.Length..] : body, null);
    }

    /// <summary>
    /// Returns the problem message when a string or field name in <paramref name="root"/> has a <c>\u</c> escape of
    /// half a UTF-16 surrogate pair without the other half, which no Unicode text contains; otherwise null.
    /// </summary>
    public static string? FindUnpairedSurrogate(JsonElement root)
    {
        if (FindUnpairedSurrogate(root, field: null) is not { } where)
        {
            return null;
        }

        return $"The body is not valid Unicode: {where} has a \\u escape of half a UTF-16 surrogate pair (\\uD800 to \\uDFFF) without the other half. Escape a character beyond U+FFFF as both halves, such as \\ud83d\\udce7, or send it unescaped in UTF-8.";
    }

    /// <summary>Returns where the first unpaired surrogate is, such as "the field 'reason'", or null.</summary>
    private static string? FindUnpairedSurrogate(JsonElement element, string? field)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                if (CanRead(() => element.GetString()))
                {
                    return null;
                }

                return field is null ? "a string" : $"the field '{field}'";
            case JsonValueKind.Array:
                return element.EnumerateArray().Select(item => FindUnpairedSurrogate(item, field)).FirstOrDefault(where => where is not null);
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (!CanRead(() => property.Name))
                    {
                        return "a field name";
                    }

                    if (FindUnpairedSurrogate(property.Value, field ?? property.Name) is { } where)
                    {
                        return where;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static bool CanRead(Func<string?> read)
    {
        try
        {
            read();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Returns the offset and the hex bytes of the first invalid UTF-8 sequence, or null when all is valid.</summary>
    private static (int Offset, string Bytes)? FindInvalidUtf8(ReadOnlySpan<byte> text)
    {
        if (System.Text.Unicode.Utf8.IsValid(text))
        {
            return null;
        }

        var offset = 0;
        while (offset < text.Length)
        {
            var status = Rune.DecodeFromUtf8(text[offset..], out _, out var consumed);
            if (status != OperationStatus.Done)
            {
                var bytes = string.Join(' ', text.Slice(offset, consumed).ToArray().Select(b => "0x" + b.ToString("X2", CultureInfo.InvariantCulture)));
                return (offset, bytes);
            }

            offset += consumed;
        }

        return null;
    }
}
