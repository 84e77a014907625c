using System.Text;

namespace Relayguard.Gateway.Smtp;

/// <summary>
/// Parses the paths and ESMTP parameters of MAIL FROM and RCPT TO (RFC 5321 section 4.1.2, RFC 6531 for
/// non-ASCII addresses). Source routes (<c>@a,@b:user@c</c>) are accepted and their route dropped, as the
/// RFC asks.
/// </summary>
public static class SmtpPathParser
{
    private const string Postmaster = "postmaster";

    /// <summary>
    /// Parses "&lt;path&gt; params" after the colon of MAIL FROM: or RCPT TO:. A keyword given more than once keeps its
    /// first value and is returned in <paramref name="repeatedKeyword"/> (the first such keyword, or null), so the
    /// caller can reject the command with a reply of its own.
    /// </summary>
    /// <summary>True when <see cref="TryParse"/> failed on the parameters after a valid address, not on the address.</summary>
    public static bool IsParameterError(string error) => error.StartsWith("the parameter", StringComparison.Ordinal);

    public static bool TryParse(string argument, bool allowNull, out string address, out Dictionary<string, string?> parameters, out string? repeatedKeyword, out string error)
    {
        address = string.Empty;
        parameters = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        repeatedKeyword = null;
        error = string.Empty;
        var text = argument.TrimStart(' ');
        if (text.Length == 0 || text[0] != '<')
        {
            error = "the address must be enclosed in angle brackets, as in <user@example.com>";
            return false;
        }

        var end = FindClosingBracket(text);
        if (end < 0)
        {
            error = "the address has no closing angle bracket";
            return false;
        }

        var path = text[1..end];
        var rest = text[(end + 1)..];
        if (path.Length > 0 && path[0] == '@')
        {
            // A source route: "@relay1,@relay2:user@example.com". RFC 5321 section 4.1.1.3 says to ignore the route.
            var colon = path.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                error = "the source route has no colon before the mailbox";
                return false;
            }

            path = path[(colon + 1)..];
            if (path.Length == 0)
            {
                error = "the source route is not followed by a mailbox";
                return false;
            }
        }

        if (path.Length == 0)
        {
            if (!allowNull)
            {
                error = "the null address <> is only allowed as a sender";
                return false;
            }
        }
        else if (!allowNull && path.Equals(Postmaster, StringComparison.OrdinalIgnoreCase))
        {
            // RFC 5321 section 4.1.1.3: RCPT TO:<Postmaster>, without a domain, must be accepted.
        }
        else if (!IsValidMailbox(path, out error))
        {
            return false;
        }

        address = path;
        if (rest.Length > 0 && rest[0] != ' ')
        {
            error = "the parameters must be separated from the address by a space";
            return false;
        }

        foreach (var token in rest.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = token.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? token : token[..equals];
            var value = equals < 0 ? null : token[(equals + 1)..];
            if (key.Length == 0 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                error = $"the parameter '{token}' is not of the form KEYWORD or KEYWORD=VALUE";
                return false;
            }

            if (!parameters.TryAdd(key.ToUpperInvariant(), value))
            {
                repeatedKeyword ??= key.ToUpperInvariant();
            }
        }

        return true;
    }

    /// <summary>Checks local-part@domain: a dot-atom or quoted-string local part, a domain name or address literal.</summary>
    public static bool IsValidMailbox(string mailbox, out string error)
    {
        error = string.Empty;
        var at = FindDomainSeparator(mailbox);
        if (at <= 0 || at == mailbox.Length - 1)
        {
            error = $"'{mailbox}' is not of the form local-part@domain";
            return false;
        }

        var local = mailbox[..at];
        var domain = mailbox[(at + 1)..];
        if (Encoding.UTF8.GetByteCount(local) > 64)
        {
            error = "the local part is longer than 64 octets";
            return false;
        }

        if (local[0] == '"')
        {
            if (local.Length < 2 || local[^1] != '"')
            {
                error = $"the quoted local part of '{mailbox}' is not closed";
                return false;
            }
        }
        else if (local.StartsWith('.') || local.EndsWith('.') || local.Contains("..", StringComparison.Ordinal) || local.Any(c => !IsAtomChar(c) && c != '.'))
        {
            error = $"the local part of '{mailbox}' contains a character that must be quoted";
            return false;
        }

        if (domain.StartsWith('['))
        {
            if (!domain.EndsWith(']'))
            {
                error = $"the address literal in '{mailbox}' is not closed";
                return false;
            }

            if (!IsAddressLiteral(domain[1..^1]))
            {
                error = $"the address literal in '{mailbox}' is not an IPv4 address, IPv6:address or tag:content, as in [192.0.2.1] or [IPv6:2001:db8::1]";
                return false;
            }

            return true;
        }

        if (domain.Length > 255 || domain.EndsWith('.') || domain.Split('.').Any(label => label.Length == 0 || label.Length > 63 || label.StartsWith('-') || label.EndsWith('-') || label.Any(c => !(char.IsLetterOrDigit(c) || c == '-' || c > 127))))
        {
            error = $"the domain of '{mailbox}' is not a valid host name";
            return false;
        }

        return true;
    }

    public static bool IsAscii(string text) => System.Text.Ascii.IsValid(text);

    /// <summary>
    /// Checks the inside of an address literal (RFC 5321 section 4.1.3): an IPv4 address in dotted form,
    /// <c>IPv6:</c> and an IPv6 address, or a general literal, a tag of letters, digits and hyphens, a colon and
    /// printable characters other than brackets and the backslash.
    /// </summary>
    private static bool IsAddressLiteral(string literal)
    {
        if (literal.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
        {
            return System.Net.IPAddress.TryParse(literal[5..], out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !literal.Contains('%', StringComparison.Ordinal);
        }

        var parts = literal.Split('.');
        if (parts.Length == 4 && parts.All(part => part.Length is > 0 and <= 3 && part.All(char.IsAsciiDigit)))
        {
            return parts.All(part => int.Parse(part, System.Globalization.CultureInfo.InvariantCulture) <= 255);
        }

        var colon = literal.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon < literal.Length - 1
            && literal[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && char.IsAsciiLetterOrDigit(literal[colon - 1])
            && literal[(colon + 1)..].All(c => c is >= '!' and <= '~' and not '[' and not '\\' and not ']');
    }

    private static bool IsAtomChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~".Contains(c, StringComparison.Ordinal) || c > 127;

    private static int FindClosingBracket(string text)
    {
        var quoted = false;
        for (var i = 1; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted && c == '\\')
            {
                i++;
                continue;
            }

            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == '>' && !quoted)
            {
                return i;
            }
        }

        return -1;
    }

    private static int FindDomainSeparator(string mailbox)
    {
        var quoted = false;
        var at = -1;
        for (var i = 0; i < mailbox.Length; i++)
        {
            var c = mailbox[i];
            if (quoted && c == '\\')
            {
                i++;
                continue;
            }

            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == '@' && !quoted)
            {
                at = i;
            }
        }

        return at;
    }
}
