using System.Globalization;
using Relayguard.IntegrationTests.Infrastructure;

namespace Relayguard.IntegrationTests;

/// <summary>The classic open-relay tests from an untrusted address without AUTH: every one must be refused and nothing relayed.</summary>
public sealed class OpenRelayTests
{
    [Theory]
    [InlineData("spammer@example.org", "victim@example.net")]
    [InlineData("spammer@example.org", "@relay.example.org,@gateway.test:victim@example.net")]
    [InlineData("spammer@example.org", "victim%example.net@gateway.test")]
    [InlineData("spammer@example.org", "\"victim@example.net\"@gateway.test")]
    [InlineData("spammer@example.org", "victim@example.net.")]
    [InlineData("spammer@example.org", "example.net!victim@gateway.test")]
    [InlineData("spammer@example.org", "victim@[192.0.2.10]")]
    [InlineData("postmaster@gateway.test", "victim@example.net")]
    [InlineData("postmaster@customer.test", "victim@example.net")]
    [InlineData("", "victim@example.net")]
    public async Task Unauthenticated_RelayAttempt_Refused(string sender, string recipient)
    {
        await using var relayguard = await RelayguardInstance.StartAsync([]);
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
        await raw.CommandAsync("EHLO gateway.test");

        var mail = await raw.CommandAsync($"MAIL FROM:<{sender}>");
        var rcpt = await raw.CommandAsync($"RCPT TO:<{recipient}>");
        var data = await raw.CommandAsync("DATA");

        Assert.Equal("530 5.7.0 Authentication required", mail);
        Assert.StartsWith("503", rcpt);
        Assert.StartsWith("503", data);
        Assert.False(Directory.Exists(Path.Combine(relayguard.DataDirectory, "pickup")) && Directory.EnumerateFiles(Path.Combine(relayguard.DataDirectory, "pickup")).Any());
    }

    [Fact]
    public async Task Unauthenticated_Swaks_Refused()
    {
        await using var relayguard = await RelayguardInstance.StartAsync([]);

        var (exitCode, output) = await Swaks.RunAsync(
            "--server", "127.0.0.1", "--port", relayguard.SmtpEndPoint.Port.ToString(CultureInfo.InvariantCulture),
            "--from", "spammer@example.org", "--to", "victim@example.net", "--helo", "client.test");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("530 5.7.0 Authentication required", output);
        Assert.False(Directory.Exists(Path.Combine(relayguard.DataDirectory, "pickup")));
    }

    [Fact]
    public async Task Unauthenticated_PipelinedTransaction_NothingRelayed()
    {
        await using var relayguard = await RelayguardInstance.StartAsync([]);
        using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);

        await raw.SendAsync("EHLO client.test\r\nMAIL FROM:<spammer@example.org>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\nSubject: spam\r\n\r\nbuy\r\n.\r\nQUIT\r\n");
        var replies = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            replies.Add(await raw.ReadReplyAsync());
        }

        Assert.StartsWith("250", replies[0]);
        Assert.StartsWith("530", replies[1]);
        Assert.StartsWith("503", replies[2]);
        Assert.StartsWith("503", replies[3]);
        Assert.False(Directory.Exists(Path.Combine(relayguard.DataDirectory, "pickup")));
    }
}
