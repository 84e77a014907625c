namespace Relayguard.Gateway;

/// <summary>The certificate for STARTTLS and implicit TLS (configuration section <c>Tls</c>).</summary>
public sealed class TlsOptions
{
    public const string SectionName = "Tls";

    /// <summary>PEM certificate chain; read again when it changes. Required once an SMTP listener is beyond loopback.</summary>
    public string? CertificateFile { get; set; }

    /// <summary>PEM private key matching <see cref="CertificateFile"/>.</summary>
    public string? KeyFile { get; set; }
}
