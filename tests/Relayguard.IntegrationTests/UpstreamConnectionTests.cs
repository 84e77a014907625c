using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Relayguard.IntegrationTests.Infrastructure;

namespace Relayguard.IntegrationTests;

/// <summary>How the gateway reuses its connections to the provider's Postfix.</summary>
public sealed class UpstreamConnectionTests
{
    private const string Password = "pool-password";

    [Fact]
    public async Task OldConnection_ReplacedAfterReuseTime()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sink = await SmtpSink.StartAsync();
        await using var postfix = await PostfixInstance.StartAsync(sink.Endpoint, $"127.0.0.1:{Ports.Free()}");
        await using var relayguard = await RelayguardInstance.StartAsync(
            new() { ["Relay:Upstream"] = postfix.Endpoint, ["Relay:Connections"] = "1", ["Smtp:AllowPlaintextAuth"] = "true" },
            configure: builder => builder.Services.AddSingleton<TimeProvider>(time));
        relayguard.AddAccount("alice", Password);

        await SendAsync(relayguard, "first");
        await SendAsync(relayguard, "second");
        await Wait.UntilAsync(() => postfix.Log.Contains("to=<bob@example.net>", StringComparison.Ordinal), "Postfix to log the first message");
        Assert.Equal(1, Connections(postfix));

        time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        await SendAsync(relayguard, "third");

        await Wait.UntilAsync(() => Connections(postfix) == 2, "the gateway to open a new connection to Postfix");
        await Wait.UntilAsync(() => postfix.Log.Contains("disconnect from", StringComparison.Ordinal), "Postfix to log the old connection's QUIT");
        Assert.Contains(" quit=1 ", postfix.Log, StringComparison.Ordinal);
    }

    private static int Connections(PostfixInstance postfix) =>
        postfix.Log.Split('\n').Count(line => line.Contains("/smtpd[", StringComparison.Ordinal) && line.Contains(": connect from", StringComparison.Ordinal));

    private static async Task SendAsync(RelayguardInstance relayguard, string subject)
    {
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        Assert.StartsWith("235", await raw.LoginAsync("alice", Password));
        Assert.StartsWith("250", await raw.CommandAsync("MAIL FROM:<alice@customer.test>"));
        Assert.StartsWith("250", await raw.CommandAsync("RCPT TO:<bob@example.net>"));
        Assert.StartsWith("354", await raw.CommandAsync("DATA"));
        await raw.SendAsync($"From: alice@customer.test\r\nTo: bob@example.net\r\nSubject: {subject}\r\n\r\nHello.\r\n.\r\n");
        Assert.StartsWith("250", await raw.ReadReplyAsync());
    }
}
