using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Relayguard.Cli;

/// <summary>
/// Makes text from the operations API or a database safe to print on a terminal. A bounce's diagnostic, a reason or
/// an address may contain escape sequences that clear the screen or set the window title. It may also contain line
/// breaks that split a table row. The CLI passes every such value through here before printing it.
/// </summary>
public static class TerminalText
{
    /// <summary>
    /// Replaces each control character with a visible escape: <c>\n</c>, <c>\r</c> and <c>\t</c> for line feed,
    /// carriage return and tab, <c>\x1b</c> for the other C0 controls and DEL, and <c>\u009b</c> for the C1 controls
    /// (U+0080 to U+009F). The line and paragraph separators and the bidirectional controls (U+2028, U+2029,
    /// U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069) become <c>\u2028</c> and so on as well: they break a line or
    /// reorder how a row reads. Everything else, accents and CJK included, is kept. A backslash is kept as it is, so
    /// escaping the result again changes nothing, but an escape cannot be distinguished from the same text typed literally.
    /// </summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Any(c => char.IsControl(c) || IsLayoutControl(c)))
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\n':
                    escaped.Append(@"\n");
                    break;
                case '\r':
                    escaped.Append(@"\r");
                    break;
                case '\t':
                    escaped.Append(@"\t");
                    break;
                case < '\u0080' when char.IsControl(c):
                    escaped.Append(@"\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    break;
                case <= '\u009f' when char.IsControl(c):
                case var _ when IsLayoutControl(c):
                    escaped.Append(@"\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    escaped.Append(c);
                    break;
            }
        }

        return escaped.ToString();
    }

    private static bool IsLayoutControl(char c) =>
        c is '\u2028' or '\u2029' or '\u200e' or '\u200f' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069');

    /// <summary>
    /// Returns the JSON text of <paramref name="element"/> with DEL and the C1 controls written as JSON escapes
    /// (<c>\u007f</c>, <c>\u009b</c>), so a script reads the same values and a terminal gets no control sequence. The
    /// other control characters need nothing: a JSON parser accepts them only escaped inside strings, and as spaces,
    /// tabs and line breaks between values.
    /// </summary>
    public static string Json(JsonElement element)
    {
        var json = element.GetRawText();
        if (!json.Any(char.IsControl))
        {
            return json;
        }

        var escaped = new StringBuilder(json.Length + 16);
        foreach (var c in json)
        {
            if (c >= '\u007f' && char.IsControl(c))
            {
                escaped.Append(@"\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }
}
