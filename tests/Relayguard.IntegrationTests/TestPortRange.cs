using System.Net;
using System.Net.Sockets;

namespace Relayguard.IntegrationTests;

/// <summary>Loopback ports in 30000 to 39999 for the instances these tests start, so that they stay apart from other services on a shared machine.</summary>
internal static class TestPortRange
{
    /// <summary>Returns a port in the range that was free a moment ago.</summary>
    public static int Free()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = Random.Shared.Next(30000, 40000);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // In use: try another.
            }
        }

        throw new InvalidOperationException("No free loopback port between 30000 and 39999 after 100 attempts.");
    }

    /// <summary>The settings that put an embedded instance's SMTP and operations listeners on ports in the range.</summary>
    public static Dictionary<string, string?> Listeners() => new()
    {
        ["Smtp:Listen"] = $"127.0.0.1:{Free()}",
        ["Operations:Listen"] = $"127.0.0.1:{Free()}",
    };
}
