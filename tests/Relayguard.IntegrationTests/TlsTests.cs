using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using MailKit.Net.Smtp;
using MailKit.Security;
using Relayguard.Gateway;
using Relayguard.IntegrationTests.Infrastructure;

namespace Relayguard.IntegrationTests;

/// <summary>STARTTLS and implicit TLS with a certificate the test makes, checked with MailKit, swaks and SslStream.</summary>
public sealed class TlsTests
{
    private const string Password = "tls-test-passw0rd";

    [Fact]
    public async Task StartTls_MailKit_AuthenticatesAndRelays()
    {
        var certificate = TestCertificate.Create(NewFolder());
        await using var relayguard = await StartAsync(certificate);
        relayguard.AddAccount("alice", Password);
        using var client = NewClient(certificate);

        await client.ConnectAsync("127.0.0.1", relayguard.SmtpEndPoint.Port, SecureSocketOptions.StartTls);
        await client.AuthenticateAsync("alice", Password);
        await client.SendAsync(Clients.Message("alice@customer.test", "Over STARTTLS", "Hello", "bob@example.net"));

        Assert.True(client.IsSecure);
        var pickup = await WaitForPickupAsync(relayguard, 1);
        Assert.Contains("with ESMTPSA", File.ReadAllText(pickup[0]));
    }

    [Fact]
    public async Task ImplicitTls_MailKit_AuthenticatesAndRelays()
    {
        var certificate = TestCertificate.Create(NewFolder());
        await using var relayguard = await StartAsync(certificate, implicitTls: true);
        relayguard.AddAccount("alice", Password);
        var endPoint = relayguard.Get<SmtpGatewayService>().ImplicitTlsEndPoint!;
        using var client = NewClient(certificate);

        await client.ConnectAsync("127.0.0.1", endPoint.Port, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("alice", Password);
        await client.SendAsync(Clients.Message("alice@customer.test", "Over implicit TLS", "Hello", "bob@example.net"));

        Assert.True(client.IsSecure);
        Assert.True(client.SslProtocol is SslProtocols.Tls12 or SslProtocols.Tls13);
        var pickup = await WaitForPickupAsync(relayguard, 1);
        Assert.Contains("with ESMTPSA", File.ReadAllText(pickup[0]));
    }

    [Fact]
    public async Task StartTls_Swaks_AuthenticatesAndRelays()
    {
        var certificate = TestCertificate.Create(NewFolder());
        await using var relayguard = await StartAsync(certificate);
        relayguard.AddAccount("alice", Password);

        var (exitCode, output) = await Swaks.RunAsync(
            "--server", "127.0.0.1", "--port", relayguard.SmtpEndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tls", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", Password,
            "--from", "alice@customer.test", "--to", "bob@example.net", "--helo", "client.test");

        Assert.True(exitCode == 0, output);
        Assert.Contains("TLS started", output);
        Assert.Contains("235 2.7.0 Authentication successful", output);
        Assert.Contains("250 2.0.0 Message accepted as ", output);
        await WaitForPickupAsync(relayguard, 1);
    }

    [Fact]
    public async Task ImplicitTls_Swaks_AuthenticatesAndRelays()
    {
        var certificate = TestCertificate.Create(NewFolder());
        await using var relayguard = await StartAsync(certificate, implicitTls: true);
        relayguard.AddAccount("alice", Password);
        var endPoint = relayguard.Get<SmtpGatewayService>().ImplicitTlsEndPoint!;

        var (exitCode, output) = await Swaks.RunAsync(
            "--server", "127.0.0.1", "--port", endPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tls-on-connect", "--auth", "LOGIN", "--auth-user", "alice", "--auth-password", Password,
            "--from", "alice@customer.test", "--to", "bob@example.net", "--helo", "client.test");

        Assert.True(exitCode == 0, output);
        Assert.Contains("235 2.7.0 Authentication successful", output);
        Assert.Contains("250 2.0.0 Message accepted as ", output);
        await WaitForPickupAsync(relayguard, 1);
    }

    [Fact]
    public async Task Auth_BeforeStartTls_NotOfferedNorAccepted()
    {
        var certificate = TestCertificate.Create(NewFolder());
        await using var relayguard = await StartAsync(certificate);
        relayguard.AddAccount("alice", Password);
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);

        var ehlo = await raw.CommandAsync("EHLO client.test");
        var auth = await raw.CommandAsync("AUTH PLAIN AGFsaWNlAHRscy10ZXN0LXBhc3N3MHJk");

        Assert.Contains("STARTTLS", ehlo);
        Assert.DoesNotContain("AUTH", ehlo);
        Assert.StartsWith("538 5.7.11", auth);
    }

    [Fact]
    public async Task LoginBeforeStartTls_ForgottenAfterIt()
    {
        // RFC 3207 section 4.2: after the handshake the server discards what it learned before, a login included.
        var certificate = TestCertificate.Create(NewFolder());
        await using var relayguard = await StartAsync(certificate, allowPlaintextAuth: true);
        relayguard.AddAccount("alice", Password);
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        Assert.StartsWith("235", await raw.LoginAsync("alice", Password));

        Assert.StartsWith("220", await raw.StartTlsAsync(certificate));
        Assert.StartsWith("250", await raw.CommandAsync("EHLO client.test"));
        var mail = await raw.CommandAsync("MAIL FROM:<alice@customer.test>");

        Assert.StartsWith("530", mail);
    }

    [Fact]
    public async Task Auth_AfterStartTls_Offered()
    {
        var certificate = TestCertificate.Create(NewFolder());
        await using var relayguard = await StartAsync(certificate);
        using var client = NewClient(certificate);

        await client.ConnectAsync("127.0.0.1", relayguard.SmtpEndPoint.Port, SecureSocketOptions.StartTls);

        Assert.Contains("PLAIN", client.AuthenticationMechanisms);
        Assert.Contains("LOGIN", client.AuthenticationMechanisms);
    }

    [Fact]
    public async Task PlaintextAuth_OnLoopbackWhenAllowed_Offered()
    {
        var certificate = TestCertificate.Create(NewFolder());
        await using var relayguard = await StartAsync(certificate, allowPlaintextAuth: true);
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);

        var ehlo = await raw.CommandAsync("EHLO client.test");

        Assert.Contains("AUTH PLAIN LOGIN", ehlo);
    }

    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task ImplicitTls_Version12OrLater_Negotiated(SslProtocols protocol)
    {
        var certificate = TestCertificate.Create(NewFolder());
        await using var relayguard = await StartAsync(certificate, implicitTls: true);
        var endPoint = relayguard.Get<SmtpGatewayService>().ImplicitTlsEndPoint!;

        await using var ssl = await HandshakeAsync(endPoint, protocol);

        Assert.Equal(protocol, ssl.SslProtocol);
        Assert.Equal(certificate.Thumbprint, ssl.RemoteCertificate!.GetCertHashString());
    }

    [Theory]
#pragma warning disable SYSLIB0039, CA5397 // Old protocol versions on purpose: the server must refuse them.
    [InlineData(SslProtocols.Tls11)]
    [InlineData(SslProtocols.Tls)]
#pragma warning restore SYSLIB0039, CA5397
    public async Task ImplicitTls_VersionBelow12_Refused(SslProtocols protocol)
    {
        var certificate = TestCertificate.Create(NewFolder());
        await using var relayguard = await StartAsync(certificate, implicitTls: true);
        var endPoint = relayguard.Get<SmtpGatewayService>().ImplicitTlsEndPoint!;

        var error = await Record.ExceptionAsync(async () => await (await HandshakeAsync(endPoint, protocol)).DisposeAsync());

        Assert.True(error is System.Security.Authentication.AuthenticationException or IOException, $"Expected a failed handshake, got {error?.GetType().Name ?? "success"}.");
        await Wait.UntilAsync(() => relayguard.Logs.Lines.Any(line => line.Contains("TLS handshake with 127.0.0.1 on listener submissions failed: ", StringComparison.Ordinal)), "the failed handshake to be logged");
    }

    [Fact]
    public async Task Certificate_ReplacedOnDisk_Reloaded()
    {
        var folder = NewFolder();
        var first = TestCertificate.Create(folder, "first.test");
        await using var relayguard = await StartAsync(first, implicitTls: true);
        var endPoint = await ImplicitTlsServingAsync(relayguard, first);

        // A renewal writes new files in place; the provider checks the files at most every 10 seconds.
        var second = TestCertificate.Create(folder, "second.test");
        File.SetLastWriteTimeUtc(second.CertificateFile, DateTime.UtcNow.AddSeconds(5));
        File.SetLastWriteTimeUtc(second.KeyFile, DateTime.UtcNow.AddSeconds(5));
        string? seen = null;
        await Wait.UntilAsync(
            async () =>
            {
                await using var ssl = await HandshakeAsync(endPoint, SslProtocols.Tls13);
                seen = ssl.RemoteCertificate!.GetCertHashString();
                return seen == second.Thumbprint;
            },
            "the gateway to serve the replaced certificate",
            TimeSpan.FromSeconds(40));

        Assert.Equal(second.Thumbprint, seen);
        Assert.Contains(relayguard.Logs.Lines, line => line.Contains($"Loaded the TLS certificate {second.CertificateFile} again: CN=second.test", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Certificate_ReplacedWithGarbage_KeptAndWarned()
    {
        var folder = NewFolder();
        var first = TestCertificate.Create(folder, "first.test");
        await using var relayguard = await StartAsync(first, implicitTls: true);
        var endPoint = await ImplicitTlsServingAsync(relayguard, first);

        // A renewal job that writes a broken file: the provider checks the files at most every 10 seconds.
        await File.WriteAllTextAsync(first.CertificateFile, "garbage\n");
        File.SetLastWriteTimeUtc(first.CertificateFile, DateTime.UtcNow.AddSeconds(5));
        await Wait.UntilAsync(
            async () =>
            {
                await using var ssl = await HandshakeAsync(endPoint, SslProtocols.Tls13);
                return relayguard.Logs.Lines.Any(line => line.Contains("could not be loaded", StringComparison.Ordinal));
            },
            "the gateway to warn about the broken certificate",
            TimeSpan.FromSeconds(40));

        await using var after = await HandshakeAsync(endPoint, SslProtocols.Tls13);
        Assert.Equal(first.Thumbprint, after.RemoteCertificate!.GetCertHashString());
        Assert.Contains(relayguard.Logs.Lines, line => line.Contains(first.CertificateFile, StringComparison.Ordinal) && line.Contains("previous certificate stays in use", StringComparison.Ordinal));
    }

    /// <summary>Returns the implicit TLS listener after checking that it serves <paramref name="expected"/>.</summary>
    private static async Task<IPEndPoint> ImplicitTlsServingAsync(RelayguardInstance relayguard, TestCertificate expected)
    {
        var endPoint = relayguard.Get<SmtpGatewayService>().ImplicitTlsEndPoint!;
        await using var ssl = await HandshakeAsync(endPoint, SslProtocols.Tls13);
        Assert.Equal(expected.Thumbprint, ssl.RemoteCertificate!.GetCertHashString());
        return endPoint;
    }

    [Fact]
    public async Task Cli_Smtps_ServesImplicitTls()
    {
        var folder = NewFolder();
        var certificate = TestCertificate.Create(Path.Combine(folder, "tls"));
        var data = Path.Combine(folder, "data");
        var (smtp, smtps, ops) = (Ports.Free(), Ports.Free(), Ports.Free());
        var cli = Path.Combine(AppContext.BaseDirectory, "relayguard.dll");
        var (added, addOutput) = await RunCliAsync(cli, Password + "\n", "accounts", "add", "alice", "--password-stdin", "--data", data);
        Assert.True(added == 0, addOutput);

        using var run = StartCli(
            cli, "run", "--smtp", $"127.0.0.1:{smtp}", "--smtps", $"127.0.0.1:{smtps}", "--ops", $"127.0.0.1:{ops}",
            "--tls-cert", certificate.CertificateFile, "--tls-key", certificate.KeyFile, "--data", data);
        try
        {
            await Wait.UntilAsync(() => CanConnect(smtps) || run.HasExited, $"relayguard run to listen on port {smtps}", TimeSpan.FromSeconds(60));
            Assert.False(run.HasExited, "relayguard run exited early");
            using var client = NewClient(certificate);

            await client.ConnectAsync("127.0.0.1", smtps, SecureSocketOptions.SslOnConnect);
            await client.AuthenticateAsync("alice", Password);
            await client.SendAsync(Clients.Message("alice@customer.test", "Through relayguard run", "Hello", "bob@example.net"));
            await client.DisconnectAsync(true);

            await Wait.UntilAsync(() => Directory.Exists(Path.Combine(data, "pickup")) && Directory.EnumerateFiles(Path.Combine(data, "pickup")).Any(), "the message in the pickup folder");
        }
        finally
        {
            run.Kill(entireProcessTree: true);
            await run.WaitForExitAsync();
        }
    }

    private static async Task<RelayguardInstance> StartAsync(TestCertificate certificate, bool implicitTls = false, bool allowPlaintextAuth = false)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Tls:CertificateFile"] = certificate.CertificateFile,
            ["Tls:KeyFile"] = certificate.KeyFile,
        };
        if (implicitTls)
        {
            settings["Smtp:ImplicitTlsListen"] = "127.0.0.1:0";
        }

        if (allowPlaintextAuth)
        {
            settings["Smtp:AllowPlaintextAuth"] = "true";
        }

        return await RelayguardInstance.StartAsync(settings);
    }

    private static SmtpClient NewClient(TestCertificate certificate) => new()
    {
        Timeout = 30_000,
        ServerCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.Thumbprint,
    };

    private static async Task<SslStream> HandshakeAsync(IPEndPoint endPoint, SslProtocols protocol)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(endPoint);
        // The tests compare the presented certificate's thumbprint themselves.
        var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, presented, _, _) => presented is not null);
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", EnabledSslProtocols = protocol });
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync();
            tcp.Dispose();
            throw;
        }
    }

    private static async Task<IReadOnlyList<string>> WaitForPickupAsync(RelayguardInstance relayguard, int count)
    {
        var pickup = Path.Combine(relayguard.DataDirectory, "pickup");
        await Wait.UntilAsync(() => Directory.Exists(pickup) && Directory.EnumerateFiles(pickup).Count() >= count, $"{count} messages in the pickup folder");
        return Directory.EnumerateFiles(pickup).Order(StringComparer.Ordinal).ToList();
    }

    private static string NewFolder() => Directory.CreateTempSubdirectory("relayguard-tls-").FullName;

    private static Process StartCli(string cli, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(cli);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<(int ExitCode, string Output)> RunCliAsync(string cli, string input, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(cli);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }

    private static bool CanConnect(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
