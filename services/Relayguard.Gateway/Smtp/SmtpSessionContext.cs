using System.Diagnostics;
using System.Net;

namespace Relayguard.Gateway.Smtp;

/// <summary>What the protocol layer knows about one client connection, shared with the session handler.</summary>
public sealed class SmtpSessionContext
{
    public SmtpSessionContext(string sessionId, IPEndPoint remoteEndPoint, IPEndPoint localEndPoint, SmtpListenerOptions listener)
    {
        SessionId = sessionId;
        RemoteEndPoint = remoteEndPoint;
        LocalEndPoint = localEndPoint;
        Listener = listener;
    }

    public string SessionId { get; }

    /// <summary>The client's address; behind a trusted load balancer, the one its PROXY header gave.</summary>
    public IPEndPoint RemoteEndPoint { get; set; }

    public IPEndPoint LocalEndPoint { get; }

    public SmtpListenerOptions Listener { get; }

    public bool IsTls { get; set; }

    public string? HeloName { get; set; }

    public bool IsExtended { get; set; }

    /// <summary>The account that authenticated with AUTH, or null.</summary>
    public string? Account { get; set; }

    /// <summary>The session's span, the parent of every transaction span.</summary>
    public Activity? Activity { get; set; }

    /// <summary>Handler state for the whole session, such as the trusted-network match.</summary>
    public Dictionary<string, object?> Items { get; } = [];
}
