using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Relayguard.Operations.Tokens;

/// <summary>
/// The salted hashes of operator tokens, shared by the token stores: PBKDF2-HMAC-SHA256 with a random salt,
/// stored as salt followed by hash, and a short-lived cache of recent successful checks.
/// </summary>
internal sealed class TokenHashes
{
    private const int SaltBytes = 16;
    private const int HashIterations = 100_000;

    // Each API request carries the token, and PBKDF2 is slow on purpose, so recent successes are remembered by a
    // keyed hash of (stored hash, token): removing or replacing the token misses the cache at once.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _verified = new();
    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);

    public static byte[] SaltedHash(string token)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return [.. salt, .. Pbkdf2(token, salt)];
    }

    private static byte[] Pbkdf2(string token, byte[] salt) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(token), salt, HashIterations, HashAlgorithmName.SHA256, 32);

    /// <summary>Compares in constant time: a salted PBKDF2 hash, or the plain SHA-256 of tokens made before salting.</summary>
    public bool Matches(string token, byte[] stored, DateTimeOffset now)
    {
        if (stored.Length == 32)
        {
            return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(token)), stored);
        }

        var cacheKey = Convert.ToBase64String(HMACSHA256.HashData(_cacheKey, (byte[])[.. stored, .. Encoding.UTF8.GetBytes(token)]));
        if (_verified.TryGetValue(cacheKey, out var verifiedAt) && now - verifiedAt < TimeSpan.FromMinutes(5))
        {
            return true;
        }

        if (stored.Length != SaltBytes + 32 || !CryptographicOperations.FixedTimeEquals(Pbkdf2(token, stored[..SaltBytes]), stored.AsSpan(SaltBytes)))
        {
            return false;
        }

        if (_verified.Count > 1000)
        {
            _verified.Clear();
        }

        _verified[cacheKey] = now;
        return true;
    }
}
