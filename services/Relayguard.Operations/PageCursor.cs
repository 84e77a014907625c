using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Relayguard.Operations;

/// <summary>
/// Encodes the position after the last item of a page as an opaque base64url cursor. The list name is part of
/// the cursor, so a cursor from the audit log is rejected by the block list and the other way round. So is a
/// fingerprint of the page's filters, so a cursor passed with other filters is rejected instead of skipping rows
/// that the new filters match.
/// </summary>
internal static class PageCursor
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static string Encode(string list, long sortKey, long id, string filters) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"{list}:{sortKey}:{id}:{Fingerprint(filters)}")));

    /// <summary>Decodes a cursor of <paramref name="list"/> and checks that it was made for the same <paramref name="filters"/>.</summary>
    public static PageCursorCheck TryDecode(string list, string text, string filters, out long sortKey, out long id)
    {
        sortKey = 0;
        id = 0;
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return PageCursorCheck.Invalid;
        }

        var parts = Encoding.UTF8.GetString(bytes).Split(':');
        var valid = parts.Length == 4
            && parts[0] == list
            && long.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out sortKey)
            && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out id);
        if (!valid)
        {
            return PageCursorCheck.Invalid;
        }

        return parts[3] == Fingerprint(filters) ? PageCursorCheck.Valid : PageCursorCheck.OtherFilters;
    }

    /// <summary>The first 6 bytes of the SHA-256 of the filters as hex: short, and a clash between two filters of one list is unlikely.</summary>
    private static string Fingerprint(string filters) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(filters)).AsSpan(0, 6));
}
