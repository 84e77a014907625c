using Microsoft.Extensions.Configuration;
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

    [Fact]
    public void HelpBaseUrl_NotHttp_Refused()
    {
        var result = Validate(new GatewayOptions(), new TlsOptions(), help: new HelpOptions { BaseUrl = "ftp://help.example.net/smtp-errors" });

        Assert.False(result.Succeeded);
        Assert.Contains("Invalid Help:BaseUrl 'ftp://help.example.net/smtp-errors': use an absolute http or https URL", result.FailureMessage);
    }

    [Theory]
    [InlineData("Operations:Listen", "127.0.0.1:31025", "http://127.0.0.1:31025/help/smtp-errors")]
    [InlineData("Http:Listen", "127.0.0.1:31082", "http://127.0.0.1:31082/help/smtp-errors")]
    public void HelpBaseUrl_WithoutHelpSettings_PointsToListenerServingPage(string key, string listen, string expected)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new(key, listen)])
            .Build();

        Assert.Equal(expected, GatewayRegistration.HelpBaseUrl(configuration, new HelpOptions()));
    }

    [Fact]
    public void SessionsPerIp_Negative_NamesValue()
    {
        var result = Validate(new GatewayOptions(), new TlsOptions(), new LimitsOptions { SessionsPerIp = -1 });

        Assert.False(result.Succeeded);
        Assert.Contains("Invalid Limits:SessionsPerIp -1: use 0 (off) or more.", result.FailureMessage);
    }

    private static ValidateOptionsResult Validate(GatewayOptions gateway, TlsOptions tls, LimitsOptions? limits = null, HelpOptions? help = null) =>
        new GatewaySettingsValidator(
            Options.Create(limits ?? new LimitsOptions()),
            Options.Create(new RelayOptions { Upstream = "127.0.0.1:25" }),
            Options.Create(new RspamdOptions()),
            Options.Create(help ?? new HelpOptions { BaseUrl = "https://mail.example.net/help/smtp-errors" }),
            Options.Create(tls),
            Options.Create(new Relayguard.Gateway.Dsn.DsnOptions())).Validate(null, gateway);
}
