using System.Net;
using System.Net.Sockets;

namespace Relayguard.DistributedTests.Infrastructure;

public static class Ports
{
    /// <summary>A loopback port that was free a moment ago, for a server in another process.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
