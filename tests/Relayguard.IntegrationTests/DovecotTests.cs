using MailKit.Net.Smtp;
using MailKit.Security;
using Relayguard.IntegrationTests.Infrastructure;

namespace Relayguard.IntegrationTests;

/// <summary>AUTH checked by a real Dovecot over its auth protocol, as Postfix's smtpd_sasl_type = dovecot does.</summary>
public sealed class DovecotTests
{
    private const string Password = "dovecot-passw0rd";

    [Fact]
    public async Task Dovecot_RightPassword_Authenticates()
    {
        await using var dovecot = await DovecotServer.StartAsync(new Dictionary<string, string> { ["alice@customer.test"] = Password });
        await using var relayguard = await StartAsync($"dovecot:127.0.0.1:{dovecot.Port}");
        using var client = new SmtpClient { Timeout = 30_000 };
        await client.ConnectAsync("127.0.0.1", relayguard.SmtpEndPoint.Port, SecureSocketOptions.None);

        await client.AuthenticateAsync("alice@customer.test", Password);
        await client.SendAsync(Clients.Message("alice@customer.test", "Via Dovecot", "Hello", "bob@example.net"));

        Assert.True(client.IsAuthenticated);
        Assert.Single(Directory.EnumerateFiles(Path.Combine(relayguard.DataDirectory, "pickup")));
    }

    [Fact]
    public async Task Dovecot_WrongPassword_Gets535()
    {
        await using var dovecot = await DovecotServer.StartAsync(new Dictionary<string, string> { ["alice@customer.test"] = Password });
        await using var relayguard = await StartAsync($"dovecot:127.0.0.1:{dovecot.Port}");
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);

        var wrong = await raw.LoginAsync("alice@customer.test", "not the password");
        var unknown = await raw.LoginAsync("mallory@customer.test", Password);

        Assert.StartsWith("535 5.7.8 Authentication credentials invalid. See ", wrong);
        Assert.StartsWith("535 5.7.8 Authentication credentials invalid. See ", unknown);
    }

    [Fact]
    public async Task Dovecot_AuthLogin_Authenticates()
    {
        await using var dovecot = await DovecotServer.StartAsync(new Dictionary<string, string> { ["alice@customer.test"] = Password });
        await using var relayguard = await StartAsync($"dovecot:127.0.0.1:{dovecot.Port}");
        using var client = new SmtpClient { Timeout = 30_000 };
        await client.ConnectAsync("127.0.0.1", relayguard.SmtpEndPoint.Port, SecureSocketOptions.None);

        await client.AuthenticateAsync(new SaslMechanismLogin("alice@customer.test", Password));

        Assert.True(client.IsAuthenticated);
    }

    [Fact]
    public async Task Dovecot_UnixSocket_Authenticates()
    {
        await using var dovecot = await DovecotServer.StartAsync(new Dictionary<string, string> { ["alice@customer.test"] = Password });
        await using var relayguard = await StartAsync($"dovecot:{dovecot.SocketPath}");
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);

        Assert.StartsWith("235", await raw.LoginAsync("alice@customer.test", Password));
    }

    [Fact]
    public async Task Dovecot_ManyLogins_ReuseConnections()
    {
        await using var dovecot = await DovecotServer.StartAsync(new Dictionary<string, string> { ["alice@customer.test"] = Password });
        await using var relayguard = await StartAsync($"dovecot:127.0.0.1:{dovecot.Port}");

        var logins = Enumerable.Range(0, 20).Select(async _ =>
        {
            using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
            return await raw.LoginAsync("alice@customer.test", Password);
        });
        var replies = await Task.WhenAll(logins);

        Assert.All(replies, reply => Assert.StartsWith("235", reply));
        Assert.True(relayguard.Logs.Lines.Count(line => line.Contains("Connected to Dovecot auth", StringComparison.Ordinal)) <= 20);
    }

    [Fact]
    public async Task Dovecot_Down_Gets454()
    {
        var unused = Ports.Free();
        await using var relayguard = await StartAsync($"dovecot:127.0.0.1:{unused}");
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);

        var reply = await raw.LoginAsync("alice@customer.test", Password);

        Assert.Equal("454 4.7.0 Temporary authentication failure, try again later", reply);
        Assert.Contains(relayguard.Logs.Lines, line => line.Contains("did not answer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dovecot_Down_DoesNotCountTowardThrottle()
    {
        var unused = Ports.Free();
        await using var relayguard = await StartAsync($"dovecot:127.0.0.1:{unused}", new() { ["Auth:Throttle:Failures"] = "1" });
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);

        await raw.LoginAsync("alice@customer.test", Password);
        var second = await raw.LoginAsync("alice@customer.test", Password);

        Assert.Equal("454 4.7.0 Temporary authentication failure, try again later", second);
        Assert.DoesNotContain(relayguard.Logs.Lines, line => line.Contains("AUTH throttled", StringComparison.Ordinal));
    }

    private static Task<RelayguardInstance> StartAsync(string provider, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>(extra ?? [])
        {
            ["Auth:Provider"] = provider,
            ["Smtp:AllowPlaintextAuth"] = "true",
            ["Auth:Timeout"] = "5s",
        };
        return RelayguardInstance.StartAsync(settings);
    }
}
