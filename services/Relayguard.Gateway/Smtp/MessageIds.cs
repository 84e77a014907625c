using System.Security.Cryptography;

namespace Relayguard.Gateway.Smtp;

/// <summary>Creates gateway message ids: sortable by time, unique across instances, safe in headers and file names.</summary>
public static class MessageIds
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string New()
    {
        Span<char> chars = stackalloc char[20];
        var millis = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 9; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(millis & 31)];
            millis >>= 5;
        }

        Span<byte> random = stackalloc byte[10];
        RandomNumberGenerator.Fill(random);
        for (var i = 0; i < 10; i++)
        {
            chars[10 + i] = Alphabet[random[i] & 31];
        }

        return new string(chars);
    }
}
