using System.Net;
using System.Net.Http.Json;
using Relayguard.IntegrationTests.Infrastructure;

namespace Relayguard.IntegrationTests;

/// <summary>The help pages: the public help listener, Help:BaseUrl, and the content of each section.</summary>
public sealed class HelpTests
{
    private const string Password = "help-test-password";

    [Fact]
    public async Task HelpListen_ServesOnlyHelp()
    {
        var port = Ports.Free();
        await using var relayguard = await RelayguardInstance.StartAsync(new() { ["Help:Listen"] = $"127.0.0.1:{port}" });
        using var help = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        help.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", relayguard.OperatorToken);

        using var page = await help.GetAsync("/help/smtp-errors");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("id=\"CA1\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await help.GetAsync("/api/blocks")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await help.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await help.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await help.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task HelpListen_NamedInReplies()
    {
        var port = Ports.Free();
        await using var relayguard = await RelayguardInstance.StartAsync(new() { ["Help:Listen"] = $"127.0.0.1:{port}", ["Smtp:AllowPlaintextAuth"] = "true" });

        var reply = await BlockAndTryAsync(relayguard);

        Assert.Equal($"550 5.7.1 Sending is blocked by the provider (OP1). See http://127.0.0.1:{port}/help/smtp-errors#OP1", reply);
    }

    [Fact]
    public async Task BaseUrl_NamedInReplies()
    {
        await using var relayguard = await RelayguardInstance.StartAsync(new() { ["Help:BaseUrl"] = "https://mail.example.net/help/smtp-errors", ["Smtp:AllowPlaintextAuth"] = "true" });

        var reply = await BlockAndTryAsync(relayguard);

        Assert.Equal("550 5.7.1 Sending is blocked by the provider (OP1). See https://mail.example.net/help/smtp-errors#OP1", reply);
    }

    [Theory]
    [InlineData("CA1")]
    [InlineData("CA2")]
    [InlineData("BO1")]
    [InlineData("RL1")]
    [InlineData("OP1")]
    public async Task Page_SectionComplete(string code)
    {
        await using var relayguard = await RelayguardInstance.StartAsync([]);
        using var anonymous = new HttpClient { BaseAddress = relayguard.OpsUrl };

        var page = await anonymous.GetStringAsync("/help/smtp-errors");

        var start = page.IndexOf($"<h2 id=\"{code}\">", StringComparison.Ordinal);
        Assert.True(start >= 0, $"No section with id {code}.");
        var end = page.IndexOf("<h2", start + 1, StringComparison.Ordinal);
        var section = page[start..end];
        Assert.Contains($"({code})", section, StringComparison.Ordinal);
        Assert.Contains("<dt>What happened</dt>", section, StringComparison.Ordinal);
        Assert.Contains("<dt>Likely causes</dt>", section, StringComparison.Ordinal);
        Assert.Contains("<dt>What to do</dt>", section, StringComparison.Ordinal);
        Assert.Contains($"href=\"#{code}\"", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("login")]
    [InlineData("sender")]
    [InlineData("line-endings")]
    [InlineData("reserved-domain")]
    public async Task Page_HasAnchorRepliesLinkTo(string anchor)
    {
        await using var relayguard = await RelayguardInstance.StartAsync([]);
        using var anonymous = new HttpClient { BaseAddress = relayguard.OpsUrl };

        var page = await anonymous.GetStringAsync("/help/smtp-errors");

        Assert.Contains($"<dt id=\"{anchor}\">", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/help/smtp-errors")]
    [InlineData("/")]
    public async Task Head_Answers200(string path)
    {
        await using var relayguard = await RelayguardInstance.StartAsync([]);
        using var anonymous = new HttpClient { BaseAddress = relayguard.OpsUrl };

        using var response = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task HelpListen_Invalid_Exits2()
    {
        var data = Directory.CreateTempSubdirectory("relayguard-help-").FullName;

        var result = await CliRunner.RunAsync(["run", "--help-listen", "localhost", "--data", data, "--smtp", "127.0.0.1:0", "--ops", "127.0.0.1:0"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Help:Listen (--help-listen)", result.Error, StringComparison.Ordinal);
    }

    /// <summary>Blocks the account by hand and returns the reply to its next MAIL FROM once the block has reached the gateway.</summary>
    private static async Task<string> BlockAndTryAsync(RelayguardInstance relayguard)
    {
        relayguard.AddAccount("customer", Password);
        using var ops = relayguard.OpsClient();
        Assert.Equal(HttpStatusCode.Created, (await ops.PostAsJsonAsync("/api/blocks", new { kind = "account", subject = "customer", reason = "unpaid" })).StatusCode);
        var reply = string.Empty;
        await Wait.UntilAsync(
            async () =>
            {
                using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
                await raw.LoginAsync("customer", Password);
                reply = await raw.CommandAsync("MAIL FROM:<me@customer.test>");
                return reply.StartsWith("550", StringComparison.Ordinal);
            },
            "the OP1 block to reach the gateway");
        return reply;
    }
}
