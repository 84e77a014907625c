using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Relayguard.ServiceDefaults;

/// <summary>A CIDR range such as <c>100.64.0.0/10</c> or <c>2001:db8::/32</c>.</summary>
public sealed record IpNetwork(IPAddress Prefix, int PrefixLength)
{
    public static bool TryParse(string? text, out IpNetwork? network)
    {
        network = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText.Trim(), out var address))
        {
            return false;
        }

        address = IpKeys.Normalize(address);
        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var length = max;
        if (slash >= 0 && (!int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out length) || length < 0 || length > max))
        {
            return false;
        }

        network = new IpNetwork(IpKeys.Mask(address, length), length);
        return true;
    }

    public static IpNetwork Parse(string text) =>
        TryParse(text, out var network)
            ? network!
            : throw new FormatException($"Invalid network '{text}': use CIDR notation such as 203.0.113.0/24 or 2001:db8::/48.");

    public bool Contains(IPAddress address)
    {
        address = IpKeys.Normalize(address);
        return address.AddressFamily == Prefix.AddressFamily && IpKeys.Mask(address, PrefixLength).Equals(Prefix);
    }

    public override string ToString() => $"{Prefix}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";
}
