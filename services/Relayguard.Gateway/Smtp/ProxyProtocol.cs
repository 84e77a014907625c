using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Smtp;

/// <summary>
/// The PROXY protocol version 2 (HAProxy's proxy-protocol.txt, section 2.2), by which a load balancer in front of
/// the gateway passes on the customer's address. It is read only on connections from the configured balancer
/// addresses, so no other client can pass itself off as another address. A balancer connection without a valid
/// header is closed. Version 1 (the text form) is not accepted.
/// </summary>
public static partial class ProxyProtocol
{
    /// <summary>How long a balancer has to send the header after connecting.</summary>
    public static readonly TimeSpan HeaderTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The largest header accepted after the fixed 16 octets: addresses plus TLVs such as a TLS summary.</summary>
    public const int MaxPayloadLength = 4096;

    private const int FixedLength = 16;

    private static readonly byte[] Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    public static bool IsFromBalancer(Socket client, IReadOnlyList<IpNetwork> balancers)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(balancers);
        if (balancers.Count == 0 || client.RemoteEndPoint is not IPEndPoint remote)
        {
            return false;
        }

        var address = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
        return balancers.Any(network => network.Contains(address));
    }

    /// <summary>
    /// Reads exactly the header from the socket, so the SMTP session starts on the next octet. Returns the client
    /// address it names, or null for a LOCAL command or an unspecified address family (a balancer's own health check),
    /// where the connection's own address is used.
    /// </summary>
    /// <exception cref="InvalidDataException">The header is missing or invalid.</exception>
    public static async Task<IPEndPoint?> ReadSourceAsync(Socket client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HeaderTimeout);
        var start = new byte[FixedLength];
        await ReceiveExactlyAsync(client, start, timeout.Token);
        var length = ParsePayloadLength(start);
        var payload = new byte[length];
        await ReceiveExactlyAsync(client, payload, timeout.Token);
        return ParseSource(start, payload);
    }

    /// <summary>Checks the fixed part and returns the number of octets that follow it.</summary>
    public static int ParsePayloadLength(ReadOnlySpan<byte> start)
    {
        if (start.Length < FixedLength || !start[..Signature.Length].SequenceEqual(Signature))
        {
            throw new InvalidDataException("The connection did not start with a PROXY protocol v2 signature.");
        }

        if (start[12] >> 4 != 2)
        {
            throw new InvalidDataException($"PROXY protocol version {start[12] >> 4} is not supported; only version 2 is.");
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(start[14..16]);
        return length <= MaxPayloadLength
            ? length
            : throw new InvalidDataException($"The PROXY header announces {length} octets; at most {MaxPayloadLength} are accepted.");
    }

    /// <summary>Returns the source address of a PROXY command over TCP, or null for LOCAL and for unspecified families.</summary>
    public static IPEndPoint? ParseSource(ReadOnlySpan<byte> start, ReadOnlySpan<byte> payload)
    {
        var command = start[12] & 0x0F;
        var family = start[13] >> 4;
        if (command == 0x0)
        {
            return null;
        }

        if (command != 0x1)
        {
            throw new InvalidDataException($"Unknown PROXY protocol command {command}.");
        }

        return family switch
        {
            0x1 when payload.Length >= 12 => new IPEndPoint(new IPAddress(payload[..4]), BinaryPrimitives.ReadUInt16BigEndian(payload[8..10])),
            0x2 when payload.Length >= 36 => Normalize(new IPEndPoint(new IPAddress(payload[..16]), BinaryPrimitives.ReadUInt16BigEndian(payload[32..34]))),
            0x0 => null,
            0x1 or 0x2 => throw new InvalidDataException("The PROXY header is too short for its address family."),
            _ => throw new InvalidDataException($"PROXY protocol address family {family} is not supported for SMTP."),
        };
    }

    private static IPEndPoint Normalize(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    private static async Task ReceiveExactlyAsync(Socket client, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (!buffer.IsEmpty)
        {
            var read = await client.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new InvalidDataException("The load balancer closed the connection before the PROXY header was complete.");
            }

            buffer = buffer[read..];
        }
    }

    [LoggerMessage(EventId = 1009, Level = LogLevel.Warning, Message = "Closed a connection from load balancer {Balancer} on listener {Listener}: {Reason}")]
    internal static partial void LogHeaderRejected(ILogger logger, EndPoint? balancer, string listener, string reason);
}
