using System.Globalization;
using System.Text.RegularExpressions;

namespace Relayguard.Bounces;

/// <summary>Finds SMTP reply codes and enhanced status codes inside free diagnostic text.</summary>
internal static partial class ReplyText
{
    private const RegexOptions Options = RegexOptions.CultureInvariant;
    private const int MaxDiagnosticLength = 1000;

    /// <summary>Returns the first 4.x.x or 5.x.x status in the text, skipping IP addresses and version numbers.</summary>
    public static string? FindStatus(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var match = Status().Match(text);
        return match.Success ? match.Value : null;
    }

    /// <summary>Returns the first 4xx or 5xx reply code in a position where an SMTP reply starts.</summary>
    public static int? FindReplyCode(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var match = Code().Match(text);
        return match.Success ? int.Parse(match.Groups["code"].Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>Joins the lines of a diagnostic into one line of bounded length.</summary>
    public static string? OneLine(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var line = Whitespace().Replace(text, " ").Trim();
        return line.Length > MaxDiagnosticLength ? line[..MaxDiagnosticLength] : line;
    }

    [GeneratedRegex(@"(?<![\d.])[45]\.\d{1,3}\.\d{1,3}(?!\.?\d)", Options)]
    private static partial Regex Status();

    [GeneratedRegex(@"(?<![\w./$+=-])(?<code>[45][0-5]\d)(?![\d.])(?=[ \-:,\]]|$)", Options | RegexOptions.Multiline)]
    private static partial Regex Code();

    [GeneratedRegex(@"\s+", Options)]
    private static partial Regex Whitespace();
}
