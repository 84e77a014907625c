namespace Relayguard.Operations.Tokens;

/// <summary>
/// Operator tokens: issued, listed, removed and verified. Only a salted hash of each token is stored, and every
/// change is written to the audit log.
/// </summary>
public interface ITokenStore
{
    /// <summary>Creates a token and returns it. The caller must show it now, because only its hash is stored.</summary>
    /// <exception cref="ArgumentException">The name or role is invalid.</exception>
    /// <exception cref="InvalidOperationException">A token with this name exists.</exception>
    string Add(string name, string role, string actor);

    /// <summary>
    /// Creates a token only when none exists and hands it to <paramref name="deliver"/>. A token that could not be
    /// delivered is not kept. Returns false when tokens existed.
    /// </summary>
    bool AddFirst(string name, string role, string actor, Action<string> deliver);

    IReadOnlyList<TokenInfo> List();

    /// <summary>Deletes the named token, so requests with it fail from then on. Returns false when there is none.</summary>
    bool Remove(string name, string actor);

    /// <summary>Returns the token's name and role, or null when the token is unknown.</summary>
    TokenInfo? Verify(string? token);
}
