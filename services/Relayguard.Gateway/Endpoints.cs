using System.Globalization;
using System.Net;

namespace Relayguard.Gateway;

/// <summary>Parses the ADDRESS:PORT and HOST:PORT values of listener and upstream settings.</summary>
public static class Endpoints
{
    /// <summary>Parses <c>127.0.0.1:2525</c>, <c>[::1]:2525</c> or <c>0.0.0.0:587</c>; the key is named in the error.</summary>
    public static IPEndPoint ParseListen(string value, string key)
    {
        if (IPEndPoint.TryParse(value, out var endPoint) && endPoint.Port is > 0 or 0 && value.Contains(':', StringComparison.Ordinal)
            && (endPoint.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork || value.StartsWith('[')))
        {
            return endPoint;
        }

        throw new FormatException($"Invalid {key} '{value}': use ADDRESS:PORT, for example 127.0.0.1:2525 or [::1]:2525.");
    }

    public static (string Host, int Port) ParseHostPort(string value, string key)
    {
        var colon = value.LastIndexOf(':');
        if (colon > 0 && int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536)
        {
            var host = value[..colon].Trim('[', ']');
            if (host.Length > 0)
            {
                return (host, port);
            }
        }

        throw new FormatException($"Invalid {key} '{value}': use HOST:PORT, for example 127.0.0.1:25 or mta.example.net:25.");
    }
}
