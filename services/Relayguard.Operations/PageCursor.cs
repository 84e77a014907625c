using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Relayguard.Operations;

/// <summary>
/// Encodes the position after the last item of a page as an opaque base64url cursor. The list name is part of
/// the cursor, so a cursor from the audit log is rejected by the block list and the other way round.
/// </summary>
internal static class PageCursor
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static string Encode(string list, long sortKey, long id) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"{list}:{sortKey}:{id}")));

    public static bool TryDecode(string list, string text, out long sortKey, out long id)
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
            return false;
        }

        var parts = Encoding.UTF8.GetString(bytes).Split(':');
        return parts.Length == 3
            && parts[0] == list
            && long.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out sortKey)
            && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out id);
    }
}
