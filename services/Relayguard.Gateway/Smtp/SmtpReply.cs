using System.Globalization;
using System.Text;

namespace Relayguard.Gateway.Smtp;

/// <summary>One SMTP reply: a three-digit code, an optional enhanced status (RFC 3463) and text lines.</summary>
public sealed record SmtpReply(int Code, string? EnhancedStatus, string Text)
{
    /// <summary>True when the server closes the connection after sending this reply.</summary>
    public bool CloseConnection { get; init; }

    public bool IsPositive => Code is >= 200 and < 400;

    public bool IsTransient => Code is >= 400 and < 500;

    public static SmtpReply Ok(string text = "OK") => new(250, "2.0.0", text);

    public static SmtpReply Parse(string line)
    {
        line = line.TrimEnd('\r', '\n');
        if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            throw new FormatException($"Invalid SMTP reply '{line}': it must start with a three-digit code.");
        }

        var rest = line.Length > 4 ? line[4..] : string.Empty;
        var space = rest.IndexOf(' ', StringComparison.Ordinal);
        var first = space < 0 ? rest : rest[..space];
        if (IsEnhancedStatus(first))
        {
            return new SmtpReply(code, first, space < 0 ? string.Empty : rest[(space + 1)..]);
        }

        return new SmtpReply(code, null, rest);
    }

    public static bool IsEnhancedStatus(string text)
    {
        var parts = text.Split('.');
        return parts.Length == 3
            && parts[0] is "2" or "4" or "5"
            && parts[1].Length is >= 1 and <= 3 && parts[1].All(char.IsAsciiDigit)
            && parts[2].Length is >= 1 and <= 3 && parts[2].All(char.IsAsciiDigit);
    }

    /// <summary>Writes the reply in wire form, one line per text line, continuation lines marked with '-'.</summary>
    public string ToWire()
    {
        var lines = Text.Split('\n');
        var builder = new StringBuilder();
        for (var i = 0; i < lines.Length; i++)
        {
            builder.Append(Code.ToString(CultureInfo.InvariantCulture));
            builder.Append(i == lines.Length - 1 ? ' ' : '-');
            if (EnhancedStatus is not null)
            {
                builder.Append(EnhancedStatus).Append(' ');
            }

            builder.Append(lines[i].TrimEnd('\r'));
            builder.Append("\r\n");
        }

        return builder.ToString();
    }

    public override string ToString() => ToWire().TrimEnd();
}
