using System.Net;
using System.Net.Sockets;

namespace Relayguard.Gateway.Identity;

/// <summary>Where Dovecot's auth service listens: <c>dovecot:HOST:PORT</c> or <c>dovecot:/PATH</c> of a unix socket.</summary>
public sealed record DovecotEndpoint(string? Host, int Port, string? SocketPath)
{
    public const string Prefix = "dovecot:";

    public static bool TryParse(string provider, out DovecotEndpoint? endpoint, out string error)
    {
        endpoint = null;
        error = string.Empty;
        if (!provider.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            error = $"'{provider}' does not start with {Prefix}";
            return false;
        }

        var target = provider[Prefix.Length..];
        if (target.StartsWith('/'))
        {
            endpoint = new DovecotEndpoint(null, 0, target);
            return true;
        }

        try
        {
            var (host, port) = Endpoints.ParseHostPort(target, "Auth:Provider (--auth)");
            endpoint = new DovecotEndpoint(host, port, null);
            return true;
        }
        catch (FormatException)
        {
            error = $"Invalid Auth:Provider (--auth) '{provider}': use dovecot:HOST:PORT, for example dovecot:127.0.0.1:12345, or dovecot:/PATH of the auth socket.";
            return false;
        }
    }

    public EndPoint ToEndPoint() =>
        SocketPath is not null ? new UnixDomainSocketEndPoint(SocketPath)
        : IPAddress.TryParse(Host, out var address) ? new IPEndPoint(address, Port)
        : new DnsEndPoint(Host!, Port);

    public override string ToString() => SocketPath ?? $"{Host}:{Port}";
}
