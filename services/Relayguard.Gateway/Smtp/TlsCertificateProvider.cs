using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Relayguard.Gateway.Smtp;

/// <summary>
/// The TLS certificate: PEM files that are read again when they change on disk (so a renewed certificate
/// needs no restart), or a self-signed one generated at start-up, which the host allows only while every
/// listener is on loopback.
/// </summary>
public sealed partial class TlsCertificateProvider
{
    private readonly string? _certificateFile;
    private readonly string? _keyFile;
    private readonly object _gate = new();
    private ILogger _logger = NullLogger.Instance;
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

    public static TlsCertificateProvider FromFiles(string certificateFile, string keyFile, ILogger? logger = null)
    {
        var provider = new TlsCertificateProvider(certificateFile, keyFile, null) { _logger = logger ?? NullLogger.Instance };
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
                            LogReloaded(_logger, _certificateFile!, _current!.Subject, _current.NotAfter.ToUniversalTime());
                        }
                        catch (Exception exception) when (exception is CryptographicException or IOException or UnauthorizedAccessException)
                        {
                            // A renewal caught half-written, or a bad file: keep serving the previous certificate, and
                            // try again at the next change. The warning repeats only when the files change again.
                            LogReloadFailed(_logger, _certificateFile!, _keyFile!, exception.Message);
                            _loadedStamp = stamp;
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

    [LoggerMessage(EventId = 1421, Level = LogLevel.Information, Message = "Loaded the TLS certificate {CertificateFile} again: {Subject}, valid until {NotAfter:u}.")]
    private static partial void LogReloaded(ILogger logger, string certificateFile, string subject, DateTime notAfter);

    [LoggerMessage(EventId = 1422, Level = LogLevel.Warning, Message = "The TLS certificate {CertificateFile} or its key {KeyFile} changed but could not be loaded ({Error}); the previous certificate stays in use. Fix the files: they are read again when they change.")]
    private static partial void LogReloadFailed(ILogger logger, string certificateFile, string keyFile, string error);
}
