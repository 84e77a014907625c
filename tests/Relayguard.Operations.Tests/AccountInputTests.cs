using System.Net;

namespace Relayguard.Operations.Tests;

/// <summary>The account of <c>GET /api/warnings?account=</c> and <c>GET /api/accounts/{account}/ca1</c>: errors name the field <c>account</c>.</summary>
public sealed class AccountInputTests
{
    [Theory]
    [InlineData("/api/warnings?account=")]
    [InlineData("/api/warnings?account=%20")]
    [InlineData("/api/warnings?account=al%20ice")]
    [InlineData("/api/warnings?account=alice/100.64.0.7")]
    [InlineData("/api/accounts/al%20ice/ca1")]
    [InlineData("/api/accounts/alice%2F100.64.0.7/ca1")]
    public async Task InvalidAccount_Returns400NamingAccount(string path)
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Reader.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await OperationsHost.ReadJsonAsync(response);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("account", out _), $"errors has no 'account': {problem}");
        Assert.False(errors.TryGetProperty("subject", out _), $"errors names 'subject': {problem}");
        Assert.StartsWith("account: ", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/warnings?account=")]
    [InlineData("/api/warnings?account=alice/100.64.0.7")]
    [InlineData("/api/accounts/alice%2F100.64.0.7/ca1")]
    public async Task InvalidAccount_GivesAccountExampleOnly(string path)
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Reader.GetAsync(path);

        var detail = (await OperationsHost.ReadJsonAsync(response)).GetProperty("detail").GetString();
        Assert.Contains("alice", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("203.0.113.5", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("2001:db8", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("prefix", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Warnings_ValidAccount_Returns200()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Reader.GetAsync("/api/warnings?account=%20alice%20");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, (await OperationsHost.ReadJsonAsync(response)).GetProperty("items").GetArrayLength());
    }
}
