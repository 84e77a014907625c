using System.Net;
using System.Net.Sockets;

namespace Relayguard.Operations.Tests;

/// <summary>Loopback ports for the test servers, kept in 30000 to 39999 so that they stay apart from other services on a shared machine.</summary>
internal static class TestPorts
{
    private const int First = 30000;
    private const int Last = 39999;

    /// <summary>Returns a port in the range that was free a moment ago.</summary>
    public static int Free()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = Random.Shared.Next(First, Last + 1);
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

        throw new InvalidOperationException($"No free loopback port between {First} and {Last} after 100 attempts.");
    }
}
