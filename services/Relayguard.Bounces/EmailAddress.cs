using System.Text.RegularExpressions;

namespace Relayguard.Bounces;

/// <summary>Finds mail addresses in report text.</summary>
internal static partial class EmailAddress
{
    /// <summary>Returns every address in the line, in order.</summary>
    public static MatchCollection FindAll(string line) => Pattern().Matches(line);

    /// <summary>Returns the first address in the text, or null.</summary>
    public static string? FindFirst(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var match = Pattern().Match(text);
        return match.Success ? match.Value : null;
    }

    /// <summary>Returns the domain of an address, or null when it has none.</summary>
    public static string? DomainOf(string? address)
    {
        var at = address?.LastIndexOf('@') ?? -1;
        return at > 0 && at < address!.Length - 1 ? address[(at + 1)..] : null;
    }

    /// <summary>True when the address belongs to a mail system rather than a person (MAILER-DAEMON, postmaster).</summary>
    public static bool IsMailSystem(string address)
    {
        var at = address.IndexOf('@', StringComparison.Ordinal);
        var local = at < 0 ? address : address[..at];
        return SystemLocalPart().IsMatch(local);
    }

    // Local parts keep the characters RFC 5322 allows in atoms, so VERP and SRS addresses
    // (with + and =) survive. A quoted local part (RFC 5321 Quoted-string: printable ASCII and
    // space, with backslash pairs) is taken whole, quotes included. Domains are ASCII labels, so
    // text glued on in other scripts stays out.
    [GeneratedRegex(@"(?:""(?:[\x20\x21\x23-\x5B\x5D-\x7E]|\\[\x20-\x7E])*""|[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+)@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    [GeneratedRegex(@"^(?:mailer[-_]?daemon|mail[-_]?daemon|postmaster|post[-_]master|mdaemon)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SystemLocalPart();
}
