using System.Net;
using System.Security.Cryptography.X509Certificates;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Smtp;

/// <summary>One listening socket and how it speaks SMTP.</summary>
public sealed record SmtpListenerOptions
{
    public required string Name { get; init; }

    public required IPEndPoint EndPoint { get; init; }

    /// <summary>TLS from the first byte (RFC 8314 implicit TLS, port 465) instead of STARTTLS.</summary>
    public bool ImplicitTls { get; init; }

    /// <summary>The certificate for STARTTLS and implicit TLS; null disables both.</summary>
    public Func<X509Certificate2?>? Certificate { get; init; }

    /// <summary>Allow AUTH without TLS; the host only sets this on loopback listeners.</summary>
    public bool AllowPlaintextAuth { get; init; }

    /// <summary>Offer AUTH at all (the DSN listener does not).</summary>
    public bool OfferAuth { get; init; } = true;

    public string HostName { get; init; } = Dns.GetHostName();

    public SmtpLimits Limits { get; init; } = new();

    /// <summary>The help page's section on line endings, linked from the refusal of data with bare CR or LF; none when null.</summary>
    public string? LineEndingsHelp { get; init; }

    /// <summary>Load balancers whose connections start with a PROXY protocol v2 header naming the client; none by default.</summary>
    public IReadOnlyList<IpNetwork> ProxyProtocolFrom { get; init; } = [];

    /// <summary>One log line a minute per client address for failed TLS handshakes on this listener.</summary>
    public RepeatedLogLimiter TlsFailureLog { get; init; } = new(TimeSpan.FromMinutes(1), TimeProvider.System);

    public bool IsLoopback => IPAddress.IsLoopback(EndPoint.Address);
}
