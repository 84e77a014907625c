using System.Text;
using MimeKit;

namespace Relayguard.Bounces;

/// <summary>Reads the text of one MIME part within a fixed size, whatever its declared charset.</summary>
internal static class MimePartText
{
    /// <summary>The maximum number of bytes read from one part, enough because reports put what matters first.</summary>
    public const int MaxPartBytes = 256 * 1024;

    /// <summary>Decodes up to <see cref="MaxPartBytes"/> of a part's content into text.</summary>
    public static string Decode(MimePart part)
    {
        if (part.Content is null)
        {
            return string.Empty;
        }

        using var decoded = part.Content.Open();
        var buffer = new byte[MaxPartBytes];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = decoded.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
        }

        var encoding = part.ContentType.CharsetEncoding ?? GuessEncoding(buffer.AsSpan(0, length));
        return encoding.GetString(buffer, 0, length);
    }

    /// <summary>
    /// Guesses the charset of a part that declares none: ISO-2022-JP when its escape sequence
    /// appears (Japanese MTAs write delivery-status fields that way), else UTF-8 when valid, else Latin-1.
    /// </summary>
    private static Encoding GuessEncoding(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IndexOf("\u001b$B"u8) >= 0)
        {
            return Encoding.GetEncoding("iso-2022-jp");
        }

        return System.Text.Unicode.Utf8.IsValid(bytes) ? Encoding.UTF8 : Encoding.Latin1;
    }
}
