using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Relayguard.Gateway.Smtp;

/// <summary>
/// The TLS certificate: PEM files that are read again when they change on disk (so a renewed certificate
/// needs no restart), or a self-signed one generated at start-up, which the host allows only while every
/// listener is on loopback.
/// </summary>
public sealed class TlsCertificateProvider
{
    private readonly string? _certificateFile;
    private readonly string? _keyFile;
    private readonly object _gate = new();
    private X509Certificate2? _current;
    private DateTime _loadedStamp;
    private DateTime _nextCheck;

    private TlsCertificateProvider(string? certificateFile, string? keyFile, X509Certificate2? current)
    {
        _certificateFile = certificateFile;
        _keyFile = keyFile;
        _current = current;
    }

    public bool IsSelfSigned => _certificateFile is null;

    public static TlsCertificateProvider FromFiles(string certificateFile, string keyFile)
    {
        var provider = new TlsCertificateProvider(certificateFile, keyFile, null);
        provider.Reload();
        return provider;
    }

    public static TlsCertificateProvider SelfSigned(string hostName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={hostName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(hostName);
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddIpAddress(System.Net.IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var generated = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));
        var exportable = X509CertificateLoader.LoadPkcs12(generated.Export(X509ContentType.Pkcs12), null);
        return new TlsCertificateProvider(null, null, exportable);
    }

    /// <summary>Returns the current certificate, reading the files again at most every 10 seconds when they changed.</summary>
    public X509Certificate2? Current()
    {
        if (_certificateFile is null)
        {
            return _current;
        }

        var now = DateTime.UtcNow;
        if (now >= _nextCheck)
        {
            lock (_gate)
            {
                if (now >= _nextCheck)
                {
                    _nextCheck = now.AddSeconds(10);
                    var stamp = Stamp();
                    if (stamp != _loadedStamp)
                    {
                        try
                        {
                            Reload();
                        }
                        catch (CryptographicException)
                        {
                            // A renewal caught half-written: keep serving the previous certificate and try again later.
                        }
                    }
                }
            }
        }

        return _current;
    }

    private void Reload()
    {
        var stamp = Stamp();
        using var pem = X509Certificate2.CreateFromPemFile(_certificateFile!, _keyFile);

        // SslStream on Linux needs the key in an exportable form it can hand to OpenSSL.
        _current = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        _loadedStamp = stamp;
    }

    private DateTime Stamp() =>
        new[] { File.GetLastWriteTimeUtc(_certificateFile!), File.GetLastWriteTimeUtc(_keyFile!) }.Max();
}
