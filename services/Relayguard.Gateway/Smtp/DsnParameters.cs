using System.Text;

namespace Relayguard.Gateway.Smtp;

/// <summary>
/// Checks the DSN parameters of MAIL FROM (RET, ENVID) and RCPT TO (NOTIFY, ORCPT) against RFC 3461 section 4.
/// Each check returns null for a valid value, or the 501 reply that rejects it, so an invalid value is rejected at its
/// own command instead of being passed to the upstream MTA, which could reject it after DATA.
/// </summary>
public static class DsnParameters
{
    private const string NotifyForms = "use NEVER alone, or a comma-separated list of SUCCESS, FAILURE and DELAY with each at most once";

    /// <summary>The maximum length of ENVID (RFC 3461 section 4.4), applied to the xtext as sent, before decoding.</summary>
    public const int MaxEnvelopeIdLength = 100;

    /// <summary>Checks NOTIFY: NEVER alone, or one or more of SUCCESS, FAILURE and DELAY, case-insensitive, none repeated.</summary>
    public static SmtpReply? CheckNotify(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return Invalid("NOTIFY", value, NotifyForms);
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var keyword in value.Split(','))
        {
            var known = keyword.Equals("NEVER", StringComparison.OrdinalIgnoreCase)
                || keyword.Equals("SUCCESS", StringComparison.OrdinalIgnoreCase)
                || keyword.Equals("FAILURE", StringComparison.OrdinalIgnoreCase)
                || keyword.Equals("DELAY", StringComparison.OrdinalIgnoreCase);
            if (!known || !seen.Add(keyword))
            {
                return Invalid("NOTIFY", value, NotifyForms);
            }
        }

        if (seen.Contains("NEVER") && seen.Count > 1)
        {
            return Invalid("NOTIFY", value, NotifyForms);
        }

        return null;
    }

    /// <summary>Checks ORCPT: an address type (an atom such as rfc822), a semicolon, and the original address as xtext.</summary>
    public static SmtpReply? CheckOriginalRecipient(string? value)
    {
        const string Form = "use an address type, a semicolon and the address as xtext, as in rfc822;bob@example.net";
        var semicolon = value?.IndexOf(';', StringComparison.Ordinal) ?? -1;
        if (value is null || semicolon <= 0 || semicolon == value.Length - 1 || !value[..semicolon].All(IsAtomChar))
        {
            return Invalid("ORCPT", value, Form);
        }

        // RFC 6533 adds the address type utf-8 for addresses with non-ASCII characters. For that type the gateway lets
        // non-ASCII characters through and checks the ASCII ones as xtext.
        // NOTE: the escapes that RFC 6533 defines for the utf-8 type are not checked, so some malformed values of that
        // type are accepted.
        var allowUtf8 = value[..semicolon].Equals("utf-8", StringComparison.OrdinalIgnoreCase);
        if (!TryDecodeXtext(value[(semicolon + 1)..], allowUtf8, out _, out var error))
        {
            return Invalid("ORCPT", value, error);
        }

        return null;
    }

    /// <summary>Checks RET: FULL or HDRS, case-insensitive.</summary>
    public static SmtpReply? CheckReturn(string? value)
    {
        if (string.Equals(value, "FULL", StringComparison.OrdinalIgnoreCase) || string.Equals(value, "HDRS", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return Invalid("RET", value, "use FULL or HDRS");
    }

    /// <summary>Checks ENVID: 1 to 100 characters of xtext.</summary>
    public static SmtpReply? CheckEnvelopeId(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxEnvelopeIdLength)
        {
            return Invalid("ENVID", value, $"use 1 to {MaxEnvelopeIdLength} characters of xtext");
        }

        if (!TryDecodeXtext(value, allowUtf8: false, out _, out var error))
        {
            return Invalid("ENVID", value, error);
        }

        return null;
    }

    /// <summary>
    /// Decodes xtext (RFC 3461 section 4): ASCII characters from '!' to '~' except '+' and '=', and "+XX" for any
    /// other octet, XX being two upper-case hex digits. The decoded text must be printable US-ASCII, space or tab,
    /// because RFC 3461 section 4.2 requires that of the ORCPT address before encoding. The gateway applies the same
    /// rule to ENVID. On failure, <paramref name="error"/> is a clause that names the invalid characters and the fix.
    /// </summary>
    public static bool TryDecodeXtext(string text, bool allowUtf8, out string decoded, out string error)
    {
        var builder = new StringBuilder(text.Length);
        decoded = string.Empty;
        error = string.Empty;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '+')
            {
                if (i + 2 >= text.Length || !IsUpperHexDigit(text[i + 1]) || !IsUpperHexDigit(text[i + 2]))
                {
                    error = "in xtext '+' must be followed by two upper-case hex digits, as in +2B for '+'";
                    return false;
                }

                var octet = (char)Convert.ToByte(text.Substring(i + 1, 2), 16);
                if (octet is not ('\t' or (>= ' ' and <= '~')))
                {
                    error = $"{text.Substring(i, 3)} encodes a control character or an octet outside ASCII, which DSN parameters do not allow";
                    return false;
                }

                builder.Append(octet);
                i += 2;
            }
            else if (c is >= '!' and <= '~' && c != '=')
            {
                builder.Append(c);
            }
            else if (c == '=')
            {
                error = "in xtext '=' must be written as +3D";
                return false;
            }
            else if (allowUtf8 && c > '~' && !char.IsControl(c))
            {
                builder.Append(c);
            }
            else if (c is ' ' or '\t')
            {
                error = $"in xtext a space or tab must be written as +{(int)c:X2}";
                return false;
            }
            else if (char.IsControl(c))
            {
                error = "control characters are not allowed";
                return false;
            }
            else
            {
                error = "non-ASCII characters are allowed only in ORCPT with the address type utf-8";
                return false;
            }
        }

        decoded = builder.ToString();
        return true;
    }

    private static SmtpReply Invalid(string keyword, string? value, string reason) =>
        new(501, "5.5.4", $"Invalid {keyword} value '{value}': {reason}");

    private static bool IsUpperHexDigit(char c) => char.IsAsciiDigit(c) || c is >= 'A' and <= 'F';

    // atext of RFC 5322 section 3.2.3, which RFC 3461 uses for the address type.
    private static bool IsAtomChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~".Contains(c, StringComparison.Ordinal);
}
