using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using Relayguard.IntegrationTests.Infrastructure;

namespace Relayguard.IntegrationTests;

/// <summary>
/// Runs a whole scenario (logins right and wrong over PLAIN and LOGIN, a throttle, Dovecot, mail, the operations API
/// with good and bad tokens) and searches every captured log line for the secrets and message text it used.
/// </summary>
public sealed class LogSecretsTests
{
    private const string LocalPassword = "Local-S3cret-9f2c";
    private const string WrongPassword = "Wrong-S3cret-71ab";
    private const string DovecotPassword = "Dovecot-S3cret-5e0d";
    private const string DovecotWrong = "DovecotWrong-S3cret-c4d1";
    private const string BodyText = "Body-Marker-8d3f0a";
    private const string BogusToken = "rg_BogusTokenThatIsNotStored0000000000000000000";

    [Fact]
    public async Task Scenario_NoSecretInAnyLogLine()
    {
        await using var dovecot = await DovecotServer.StartAsync(new Dictionary<string, string> { ["dave@customer.test"] = DovecotPassword });
        await using var local = await RelayguardInstance.StartAsync(new() { ["Smtp:AllowPlaintextAuth"] = "true", ["Rules:RL1:MessagesPerHour"] = "2" });
        await using var remote = await RelayguardInstance.StartAsync(new() { ["Smtp:AllowPlaintextAuth"] = "true", ["Auth:Provider"] = $"dovecot:127.0.0.1:{dovecot.Port}" });
        local.AddAccount("alice", LocalPassword);
        var token = local.OperatorToken;

        await SendMailAsync(local, "alice", LocalPassword, SaslKind.Plain);
        await SendMailAsync(local, "alice", LocalPassword, SaslKind.Login);
        await Assert.ThrowsAsync<SmtpCommandException>(() => SendMailAsync(local, "alice", LocalPassword, SaslKind.Plain));
        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<AuthenticationException>(() => SendMailAsync(local, "alice", WrongPassword, i % 2 == 0 ? SaslKind.Plain : SaslKind.Login));
        }

        await Assert.ThrowsAsync<AuthenticationException>(() => SendMailAsync(local, WrongPassword, LocalPassword, SaslKind.Plain));
        await SendMailAsync(remote, "dave@customer.test", DovecotPassword, SaslKind.Plain);
        await Assert.ThrowsAsync<AuthenticationException>(() => SendMailAsync(remote, "dave@customer.test", DovecotWrong, SaslKind.Login));

        using var ops = local.OpsClient(token);
        await Wait.UntilAsync(
            async () => (await ops.GetStringAsync("/api/blocks?kind=account")).Contains("\"AUTH\"", StringComparison.Ordinal),
            "the AUTH throttle in the block list");
        var lift = await ops.PostAsJsonAsync("/api/blocks/account/alice%2F127.0.0.1/lift", new { reason = "checked" });
        Assert.Equal(HttpStatusCode.OK, lift.StatusCode);
        using var bogus = local.OpsClient(BogusToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bogus.GetAsync("/api/blocks")).StatusCode);
        using var query = new HttpClient { BaseAddress = local.OpsUrl };
        query.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"alice:{LocalPassword}")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await query.GetAsync("/api/audit")).StatusCode);

        var lines = local.Logs.Lines.Concat(remote.Logs.Lines).ToList();
        Assert.True(lines.Count > 20, $"Only {lines.Count} log lines were captured.");
        Assert.Contains(lines, line => line.Contains("AUTH failed", StringComparison.Ordinal));
        foreach (var secret in Secrets(token))
        {
            var leaks = lines.Where(line => line.Contains(secret, StringComparison.Ordinal)).ToList();
            Assert.True(leaks.Count == 0, $"A log line contains the secret '{secret}': {leaks.FirstOrDefault()}");
        }
    }

    private static IEnumerable<string> Secrets(string token)
    {
        string[] passwords = [LocalPassword, WrongPassword, DovecotPassword, DovecotWrong];
        foreach (var password in passwords)
        {
            yield return password;
            yield return Convert.ToBase64String(Encoding.UTF8.GetBytes(password));
        }

        yield return Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0alice\0{LocalPassword}"));
        yield return Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0dave@customer.test\0{DovecotPassword}"));
        yield return token;
        yield return token[3..];
        yield return BogusToken;
        yield return BodyText;
    }

    private static async Task SendMailAsync(RelayguardInstance relayguard, string user, string password, SaslKind kind)
    {
        using var client = new SmtpClient { Timeout = 30_000 };
        await client.ConnectAsync("127.0.0.1", relayguard.SmtpEndPoint.Port, SecureSocketOptions.None);
        SaslMechanism mechanism = kind == SaslKind.Plain ? new SaslMechanismPlain(user, password) : new SaslMechanismLogin(user, password);
        await client.AuthenticateAsync(mechanism);
        await client.SendAsync(Clients.Message("alice@customer.test", "Quarterly report", $"Confidential: {BodyText}", "bob@example.net"));
        await client.DisconnectAsync(true);
    }

    private enum SaslKind
    {
        Plain,
        Login,
    }
}
