using Microsoft.Extensions.Options;
using Relayguard.Gateway.Relay;
using Relayguard.Gateway.Scanning;

namespace Relayguard.Gateway.Tests;

public sealed class GatewaySettingsValidatorTests
{
    [Fact]
    public void Listener_BeyondLoopbackWithoutCertificate_NamesSetting()
    {
        var result = Validate(new GatewayOptions { Listen = "0.0.0.0:587" }, new TlsOptions());

        Assert.False(result.Succeeded);
        Assert.Contains("Tls:CertificateFile", result.FailureMessage);
    }

    [Fact]
    public void Listener_OnLoopbackWithoutCertificate_Accepted()
    {
        var result = Validate(new GatewayOptions { Listen = "127.0.0.1:2525", ImplicitTlsListen = "[::1]:4650" }, new TlsOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Certificate_WithoutKey_Refused()
    {
        var result = Validate(new GatewayOptions(), new TlsOptions { CertificateFile = "/etc/ssl/certs/gateway.pem" });

        Assert.False(result.Succeeded);
        Assert.Contains("Tls:KeyFile", result.FailureMessage);
    }

    private static ValidateOptionsResult Validate(GatewayOptions gateway, TlsOptions tls) =>
        new GatewaySettingsValidator(
            Options.Create(new LimitsOptions()),
            Options.Create(new RelayOptions { Upstream = "127.0.0.1:25" }),
            Options.Create(new RspamdOptions()),
            Options.Create(new HelpOptions { BaseUrl = "https://mail.example.net/help/smtp-errors" }),
            Options.Create(tls),
            Options.Create(new Relayguard.Gateway.Dsn.DsnOptions())).Validate(null, gateway);
}
