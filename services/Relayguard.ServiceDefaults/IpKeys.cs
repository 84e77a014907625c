using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// Turns client addresses into the keys that rules count and block by: IPv4 addresses as they are,
/// IPv6 addresses as their /64 prefix (one customer usually owns a whole /64), IPv4-mapped IPv6 as IPv4.
/// </summary>
public static class IpKeys
{
    public const int Ipv6PrefixLength = 64;

    public static IPAddress Normalize(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>The normalised address as text: <c>::ffff:192.0.2.1</c> becomes <c>192.0.2.1</c>.</summary>
    public static string AddressText(IPAddress address) => Normalize(address).ToString();

    /// <summary>The block key of a client: the IPv4 address, or the IPv6 /64 prefix in CIDR form.</summary>
    public static string BlockKey(IPAddress address)
    {
        address = Normalize(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return address.ToString();
        }

        return $"{Mask(address, Ipv6PrefixLength)}/{Ipv6PrefixLength.ToString(CultureInfo.InvariantCulture)}";
    }

    public static string BlockKey(string address) =>
        IPAddress.TryParse(address, out var parsed) ? BlockKey(parsed) : address;

    /// <summary>Normalises a subject an operator typed: an address, an IPv6 prefix, or a CIDR range.</summary>
    public static bool TryNormalizeSubject(string text, out string subject)
    {
        subject = text;
        if (IPAddress.TryParse(text, out var address) && !text.Contains('/', StringComparison.Ordinal))
        {
            subject = AddressText(address);
            return true;
        }

        if (IpNetwork.TryParse(text, out var network))
        {
            subject = network!.PrefixLength == (network.Prefix.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)
                ? network.Prefix.ToString()
                : network.ToString();
            return true;
        }

        return false;
    }

    public static IPAddress Mask(IPAddress address, int prefixLength)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bitsLeft = prefixLength - (i * 8);
            if (bitsLeft >= 8)
            {
                continue;
            }

            bytes[i] = bitsLeft <= 0 ? (byte)0 : (byte)(bytes[i] & (0xFF << (8 - bitsLeft)));
        }

        return new IPAddress(bytes);
    }
}
