using System.Security.Cryptography;
using System.Text;
using Relayguard.Bounces;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Session;

/// <summary>
/// Keyed hashes of recipient addresses (HMAC-SHA256 with a deployment secret), so that events can count
/// distinct recipients without carrying the addresses. Every gateway of a deployment must share the key.
/// </summary>
public sealed class RecipientHasher(byte[] key)
{
    /// <summary>
    /// Hashes an address in its canonical form, ignoring case: a bounce names <c>"q.r"@bad.test</c> as
    /// <c>q.r@bad.test</c> (RFC 5321 section 4.1.2 makes the quotes optional there), and both must count as one recipient.
    /// </summary>
    public string Hash(string address) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(AddressForms.Canonical(address.Trim()).ToLowerInvariant())));

    /// <summary>Reads the key from configuration (base64), or from DATA/recipient-hash-key, creating it there on first use.</summary>
    public static byte[] LoadKey(string? configured, string dataDirectory)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            try
            {
                var bytes = Convert.FromBase64String(configured);
                if (bytes.Length >= 16)
                {
                    return bytes;
                }
            }
            catch (FormatException)
            {
                // Reported below with the key's name.
            }

            throw new SettingException("Invalid Smtp:RecipientHashKey: it must be base64 of at least 16 random bytes, for example the output of 'openssl rand -base64 32'.");
        }

        var path = Path.Combine(dataDirectory, "recipient-hash-key");
        if (File.Exists(path))
        {
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }

        var key = RandomNumberGenerator.GetBytes(32);
        Directory.CreateDirectory(dataDirectory);
        using (var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(Convert.ToBase64String(key));
        }

        return key;
    }
}
