using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Relayguard.IntegrationTests.Infrastructure;

/// <summary>A self-signed certificate for 127.0.0.1 and localhost that a test makes, written as PEM files.</summary>
public sealed class TestCertificate
{
    private TestCertificate(string certificateFile, string keyFile, string thumbprint)
    {
        CertificateFile = certificateFile;
        KeyFile = keyFile;
        Thumbprint = thumbprint;
    }

    public string CertificateFile { get; }

    public string KeyFile { get; }

    /// <summary>The SHA-1 thumbprint in upper-case hex, as <see cref="X509Certificate.GetCertHashString()"/> returns it.</summary>
    public string Thumbprint { get; }

    /// <summary>Creates a certificate with the given common name and writes cert.pem and key.pem into the folder.</summary>
    public static TestCertificate Create(string directory, string commonName = "gateway.test")
    {
        Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        var certificateFile = Path.Combine(directory, "cert.pem");
        var keyFile = Path.Combine(directory, "key.pem");
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return new TestCertificate(certificateFile, keyFile, certificate.GetCertHashString());
    }
}
