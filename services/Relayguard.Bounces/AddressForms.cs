using System.Text;

namespace Relayguard.Bounces;

/// <summary>Forms of a mail address used to match the same mailbox across reports and submissions.</summary>
public static class AddressForms
{
    /// <summary>
    /// Returns the form of <paramref name="address"/> used to match one mailbox across a submission
    /// and its reports. A quoted local part whose value is a dot-atom loses its quotes and quoting
    /// backslashes (<c>"q.r"@x</c> and <c>"q\.r"@x</c> become <c>q.r@x</c>), because RFC 5322 does not
    /// count them as part of the value, and Postfix writes such a local part without quotes. The
    /// domain is lower-cased. Everything else is kept: the case of the local part, and the quotes and
    /// escapes of a local part that needs them. Text with no <c>@</c> after its first character is
    /// returned unchanged.
    /// </summary>
    public static string Canonical(string address)
    {
        ArgumentNullException.ThrowIfNull(address);

        // The domain cannot contain '@', so the last one ends the local part, even a quoted one such as "a@b"@x.
        var at = address.LastIndexOf('@');
        if (at <= 0)
        {
            return address;
        }

        var localPart = address[..at];
        var domain = address[(at + 1)..].ToLowerInvariant();
        if (UnquotedValue(localPart) is { } value && IsDotAtom(value))
        {
            localPart = value;
        }

        return localPart + "@" + domain;
    }

    /// <summary>
    /// Returns the value of an RFC 5321 Quoted-string, with its quoted pairs unescaped, or null when
    /// the text is not one whole quoted string.
    /// </summary>
    private static string? UnquotedValue(string localPart)
    {
        if (localPart.Length < 2 || localPart[0] != '"' || localPart[^1] != '"')
        {
            return null;
        }

        var value = new StringBuilder(localPart.Length);
        for (var i = 1; i < localPart.Length - 1; i++)
        {
            var c = localPart[i];
            if (c == '"')
            {
                return null;
            }

            if (c == '\\')
            {
                // A backslash always escapes the next character, so it cannot end the string.
                if (i + 1 >= localPart.Length - 1)
                {
                    return null;
                }

                i++;
                c = localPart[i];
            }

            value.Append(c);
        }

        return value.ToString();
    }

    /// <summary>True when the text is an RFC 5322 dot-atom, with the UTF-8 characters that RFC 6531 adds to atext.</summary>
    private static bool IsDotAtom(string text)
    {
        if (text.Length == 0 || text[0] == '.' || text[^1] == '.' || text.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c != '.' && !IsAtomText(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAtomText(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~".Contains(c, StringComparison.Ordinal) || c > '\u007f';
}
