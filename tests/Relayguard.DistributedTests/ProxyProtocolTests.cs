using System.Net;
using System.Net.Sockets;
using System.Text;
using Relayguard.DistributedTests.Infrastructure;

namespace Relayguard.DistributedTests;

/// <summary>
/// The gateway takes the client address from a PROXY protocol v2 header only on connections from a configured load
/// balancer. 127.0.0.2 plays the balancer, and 203.0.113.0/24 is trusted, so MAIL without AUTH shows whose address counted.
/// </summary>
[Collection(DistributedCollection.Name)]
public sealed class ProxyProtocolTests(BrokerFixture fixture)
{
    private static readonly IPAddress Balancer = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task Balancer_PassesClientAddress()
    {
        await using var sink = await SmtpSinkProcess.StartAsync();
        await using var deployment = await Deployment.CreateAsync(fixture.Broker);
        var gateway = await StartGatewayAsync(deployment, sink);

        var transcript = await ConverseAsync(gateway, Balancer, Header(IPAddress.Parse("203.0.113.7")));

        Assert.Contains("250 2.1.0", transcript, StringComparison.Ordinal);
        Assert.DoesNotContain("530", transcript, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherAddress_HeaderIgnored()
    {
        await using var sink = await SmtpSinkProcess.StartAsync();
        await using var deployment = await Deployment.CreateAsync(fixture.Broker);
        var gateway = await StartGatewayAsync(deployment, sink);

        var transcript = await ConverseAsync(gateway, IPAddress.Loopback, Header(IPAddress.Parse("203.0.113.7")));

        Assert.Contains("220 ", transcript, StringComparison.Ordinal);
        Assert.DoesNotContain("250 2.1.0", transcript, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Balancer_WithoutHeader_IsClosed()
    {
        await using var sink = await SmtpSinkProcess.StartAsync();
        await using var deployment = await Deployment.CreateAsync(fixture.Broker);
        var gateway = await StartGatewayAsync(deployment, sink);

        var transcript = await ConverseAsync(gateway, Balancer, []);

        Assert.DoesNotContain("220", transcript, StringComparison.Ordinal);
        Assert.DoesNotContain("250 2.1.0", transcript, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Balancer_LocalCommand_KeepsOwnAddress()
    {
        await using var sink = await SmtpSinkProcess.StartAsync();
        await using var deployment = await Deployment.CreateAsync(fixture.Broker);
        var gateway = await StartGatewayAsync(deployment, sink);

        var transcript = await ConverseAsync(gateway, Balancer, Header(null));

        Assert.Contains("220 ", transcript, StringComparison.Ordinal);
        Assert.Contains("530 5.7.0", transcript, StringComparison.Ordinal);
    }

    private static async Task<ServiceSpec> StartGatewayAsync(Deployment deployment, SmtpSinkProcess sink)
    {
        var gateway = deployment.Gateway("gw-proxy", sink.Endpoint);
        gateway.Settings["Bus:Transport"] = "inmemory";
        gateway.Settings.Remove("Bus:RabbitMq");
        gateway.Settings["Smtp:ProxyProtocolFrom:0"] = "127.0.0.2/32";
        gateway.Settings["Smtp:Trusted:0"] = "203.0.113.0/24=shop";
        await deployment.StartAsync(gateway, waitForBus: false);
        return gateway;
    }

    /// <summary>
    /// Connects from <paramref name="local"/>, sends <paramref name="preamble"/> and a short transaction in one go, and
    /// returns everything the gateway sends until it closes the connection.
    /// </summary>
    private static async Task<string> ConverseAsync(ServiceSpec gateway, IPAddress local, byte[] preamble)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(local, 0));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, gateway.SmtpPort));
        var commands = Encoding.ASCII.GetBytes("EHLO shop.test\r\nMAIL FROM:<orders@shop.test>\r\nQUIT\r\n");
        await socket.SendAsync(preamble.Concat(commands).ToArray(), SocketFlags.None);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException)
        {
            // A reset after the gateway closed the connection ends the transcript too.
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }

    /// <summary>A PROXY v2 header for a TCP client at <paramref name="source"/>, or the LOCAL command when it is null.</summary>
    private static byte[] Header(IPAddress? source)
    {
        byte[] signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];
        if (source is null)
        {
            return [.. signature, 0x20, 0x00, 0x00, 0x00];
        }

        byte[] addresses = [.. source.GetAddressBytes(), 127, 0, 0, 1, 0x9C, 0x40, 0x02, 0x4B];
        return [.. signature, 0x21, 0x11, 0x00, (byte)addresses.Length, .. addresses];
    }
}
