namespace Relayguard.ServiceDefaults;

/// <summary>
/// The one spelling of an account name that blocks, allowlist entries, counts and events use: trimmed and in lower
/// case. AUTH ignores case, so <c>ALICE</c> and <c>alice</c> are one customer, and a block an operator types in
/// capitals must match the name the gateway looks up.
/// </summary>
public static class AccountNames
{
    /// <summary>Returns <paramref name="name"/> trimmed and in lower case, without allocating when it already is.</summary>
    public static string Canonical(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var trimmed = name.AsSpan().Trim();
        foreach (var c in trimmed)
        {
            if (char.IsUpper(c))
            {
                return trimmed.ToString().ToLowerInvariant();
            }
        }

        return trimmed.Length == name.Length ? name : trimmed.ToString();
    }
}
