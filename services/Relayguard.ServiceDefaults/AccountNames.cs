namespace Relayguard.ServiceDefaults;

/// <summary>
/// The one spelling of an account name that blocks, allowlist entries, counts and events use: trimmed, with ASCII
/// letters in lower case. AUTH ignores case, so <c>ALICE</c> and <c>alice</c> are one customer, and a block an operator
/// types in capitals must match the name the gateway looks up.
/// </summary>
public static class AccountNames
{
    /// <summary>
    /// Returns <paramref name="name"/> trimmed and with A to Z folded to a to z, without allocating when it already is.
    /// Other letters keep their case, because SQLite's NOCASE, which looks up the local accounts, folds ASCII only.
    /// </summary>
    public static string Canonical(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var trimmed = name.AsSpan().Trim();
        if (!trimmed.ContainsAnyInRange('A', 'Z'))
        {
            return trimmed.Length == name.Length ? name : trimmed.ToString();
        }

        return string.Create(trimmed.Length, name.Trim(), static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
            }
        });
    }
}
