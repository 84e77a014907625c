using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Blocks;

/// <summary>
/// Binary keys for IP block subjects, so that the cache holds no string per address and a lookup formats none.
/// An address is its 128 bits, IPv4 in the IPv4-mapped form (<c>::ffff:a.b.c.d</c>); an IPv6 /64 prefix is its
/// upper 64 bits. Only subjects in canonical form (as <see cref="IpKeys.TryNormalizeSubject"/> writes them) get a
/// binary key, so formatting the key gives back the subject.
/// </summary>
internal static class IpSubjects
{
    private const ulong MappedIpv4Marker = 0xFFFF_0000_0000UL;

    /// <summary>Returns the key of an address subject such as <c>192.0.2.7</c> or <c>2001:db8::7</c>.</summary>
    public static bool TryAddressKey(string subject, out UInt128 key)
    {
        key = default;
        if (subject.Contains('/', StringComparison.Ordinal) || !IPAddress.TryParse(subject, out var address))
        {
            return false;
        }

        address = IpKeys.Normalize(address);
        if (!string.Equals(address.ToString(), subject, StringComparison.Ordinal))
        {
            return false;
        }

        key = AddressKey(address);
        return true;
    }

    /// <summary>Returns the key of an IPv6 /64 prefix subject such as <c>2001:db8:1:2::/64</c>.</summary>
    public static bool TryPrefixKey(string subject, out ulong key)
    {
        key = 0;
        if (!IpNetwork.TryParse(subject, out var network)
            || network!.Prefix.AddressFamily != AddressFamily.InterNetworkV6
            || network.PrefixLength != IpKeys.Ipv6PrefixLength
            || !string.Equals(network.ToString(), subject, StringComparison.Ordinal))
        {
            return false;
        }

        key = (ulong)(AddressKey(network.Prefix) >> 64);
        return true;
    }

    /// <summary>Returns the key of a client address; IPv4-mapped IPv6 gives the same key as the IPv4 address.</summary>
    public static UInt128 AddressKey(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes, out _);
            return MappedIpv4Marker | BinaryPrimitives.ReadUInt32BigEndian(bytes);
        }

        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    /// <summary>Returns whether a key (see <see cref="AddressKey"/>) is an IPv4 address.</summary>
    public static bool IsIpv4(UInt128 key) => (key >> 32) == (MappedIpv4Marker >> 32);

    public static string AddressText(UInt128 key)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, key);
        return (IsIpv4(key) ? new IPAddress(bytes[12..]) : new IPAddress(bytes)).ToString();
    }

    public static string PrefixText(ulong key)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, key);
        return $"{new IPAddress(bytes)}/{IpKeys.Ipv6PrefixLength.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>
    /// Writes the normalised address text as UTF-8 (what <see cref="IpKeys.AddressText"/> returns), without allocating
    /// for IPv4-mapped addresses. Returns the number of bytes written.
    /// </summary>
    public static int WriteAddressUtf8(IPAddress address, Span<byte> destination)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            Span<byte> bytes = stackalloc byte[16];
            address.TryWriteBytes(bytes, out _);
            var written = 0;
            for (var i = 12; i < 16; i++)
            {
                if (i > 12)
                {
                    destination[written++] = (byte)'.';
                }

                bytes[i].TryFormat(destination[written..], out var digits, provider: CultureInfo.InvariantCulture);
                written += digits;
            }

            return written;
        }

        address.TryFormat(destination, out var count);
        return count;
    }
}
