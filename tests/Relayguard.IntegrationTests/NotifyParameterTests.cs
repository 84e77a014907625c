using MailKit.Net.Smtp;
using MailKit.Security;
using Relayguard.IntegrationTests.Infrastructure;

namespace Relayguard.IntegrationTests;

/// <summary>DSN parameters sent by MailKit over STARTTLS after AUTH, checked at the command that carries them.</summary>
public sealed class NotifyParameterTests
{
    private const string Password = "dsn-test-passw0rd";

    [Fact]
    public async Task DsnParameters_OverStartTls_RejectedWhenInvalid()
    {
        var certificate = TestCertificate.Create(Directory.CreateTempSubdirectory("relayguard-dsn-").FullName);
        await using var relayguard = await RelayguardInstance.StartAsync(new Dictionary<string, string?>
        {
            ["Tls:CertificateFile"] = certificate.CertificateFile,
            ["Tls:KeyFile"] = certificate.KeyFile,
        });
        relayguard.AddAccount("alice", Password);
        using var client = new CommandClient
        {
            Timeout = 30_000,
            ServerCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.Thumbprint,
        };
        await client.ConnectAsync("127.0.0.1", relayguard.SmtpEndPoint.Port, SecureSocketOptions.StartTls);
        await client.AuthenticateAsync("alice", Password);

        var invalidEnvelopeId = await client.CommandAsync("MAIL FROM:<alice@customer.test> ENVID=a=b");
        var repeatedReturn = await client.CommandAsync("MAIL FROM:<alice@customer.test> RET=FULL RET=HDRS");
        var mail = await client.CommandAsync("MAIL FROM:<alice@customer.test> RET=HDRS ENVID=QQ314159");
        var invalidNotify = await client.CommandAsync("RCPT TO:<x@example.net> NOTIFY=SOMETIMES");
        var repeatedNotify = await client.CommandAsync("RCPT TO:<x@example.net> NOTIFY=NEVER NOTIFY=NEVER");
        var invalidOriginalRecipient = await client.CommandAsync("RCPT TO:<x@example.net> ORCPT=x@example.net");
        var valid = await client.CommandAsync("RCPT TO:<x@example.net> NOTIFY=success,failure ORCPT=rfc822;x@example.net");

        Assert.True(client.IsSecure);
        Assert.True(client.IsAuthenticated);
        Assert.Equal(501, (int)invalidEnvelopeId.StatusCode);
        Assert.Equal("5.5.4 Invalid ENVID value 'a=b': in xtext '=' must be written as +3D", invalidEnvelopeId.Response);
        Assert.Equal(501, (int)repeatedReturn.StatusCode);
        Assert.Equal("5.5.4 Parameter RET is given more than once: give each parameter at most once", repeatedReturn.Response);
        Assert.Equal(250, (int)mail.StatusCode);
        Assert.Equal(501, (int)invalidNotify.StatusCode);
        Assert.Equal("5.5.4 Invalid NOTIFY value 'SOMETIMES': use NEVER alone, or a comma-separated list of SUCCESS, FAILURE and DELAY with each at most once", invalidNotify.Response);
        Assert.Equal(501, (int)repeatedNotify.StatusCode);
        Assert.Equal("5.5.4 Parameter NOTIFY is given more than once: give each parameter at most once", repeatedNotify.Response);
        Assert.Equal(501, (int)invalidOriginalRecipient.StatusCode);
        Assert.Equal("5.5.4 Invalid ORCPT value 'x@example.net': use an address type, a semicolon and the address as xtext, as in rfc822;bob@example.net", invalidOriginalRecipient.Response);
        Assert.Equal(250, (int)valid.StatusCode);
    }

    /// <summary>MailKit's client with its command method made public, to send parameters that MailKit itself never writes.</summary>
    private sealed class CommandClient : SmtpClient
    {
        public Task<SmtpResponse> CommandAsync(string command) => SendCommandAsync(command);
    }
}
