using System.Net;
using System.Net.Sockets;

namespace Relayguard.IntegrationTests.Infrastructure;

public static class Ports
{
    /// <summary>A loopback port that was free a moment ago, for servers that cannot bind port 0 themselves.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
